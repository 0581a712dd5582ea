package org.autopilot.devicemanager.command;

/**
 * Asks the DM to move a running rollout as far as its rules allow now: activate holders in the
 * current unit (within the disruption budgets), judge machines whose bake time is over, pass or
 * fail the unit, go on to the next, roll back on failure. Safe to send any time and often (the
 * rollout driver sends it on every change); no change, no event.
 *
 * @param machineType the type whose rollout to advance
 * @param cause why (usually empty)
 */
public record AdvanceRollout(String machineType, String cause) implements DmCommand {}
