package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Moves a machine along its lifecycle; only moves listed in
 * {@link org.autopilot.devicemanager.model.Transitions} are accepted.
 *
 * @param machine an existing machine
 * @param expectedVersion the machine version the caller based this on; 0 = unconditional
 * @param to the target state
 * @param cause why
 */
public record ChangeState(MachineId machine, long expectedVersion, LifecycleState to, String cause)
    implements DmCommand {}
