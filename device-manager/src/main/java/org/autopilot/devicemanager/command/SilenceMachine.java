package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * Silences a machine: its Errors are recorded but neither confirmed nor repaired until the
 * silence ends. A duration of 0 lifts the silence.
 *
 * @param machine the machine
 * @param durationMillis how long, at most 30 days; 0 lifts it
 * @param cause why (recorded in the decision log)
 */
public record SilenceMachine(MachineId machine, long durationMillis, String cause) implements DmCommand {}
