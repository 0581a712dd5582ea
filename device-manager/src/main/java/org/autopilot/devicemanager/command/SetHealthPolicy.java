package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.HealthPolicy;

/**
 * Sets the health policy of a machine type, or the {@code default}; a null policy removes a
 * type's own policy (it falls back to the default).
 *
 * @param scope {@code default} or a defined machine type
 * @param policy the policy, or null
 * @param cause why
 */
public record SetHealthPolicy(String scope, HealthPolicy policy, String cause) implements DmCommand {}
