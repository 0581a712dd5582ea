package org.autopilot.devicemanager.command;

/**
 * Sets or removes a disruption budget.
 *
 * @param scope {@code fleet}, {@code type:NAME} or {@code unit:NAME}
 * @param limit a count ({@code 3}) or percent ({@code 25%}); null or empty removes the budget
 * @param cause why
 */
public record SetBudget(String scope, String limit, String cause) implements DmCommand {}
