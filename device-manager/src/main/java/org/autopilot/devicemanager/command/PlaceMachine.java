package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * Sets a machine's type, scale unit and rack.
 *
 * @param machine an existing machine
 * @param expectedVersion the machine version the caller based this on; 0 = unconditional
 * @param machineType a defined machine type, or null to leave it untyped
 * @param scaleUnit a defined scale unit, or null
 * @param rack rack label, or null
 * @param cause why
 */
public record PlaceMachine(
    MachineId machine,
    long expectedVersion,
    String machineType,
    String scaleUnit,
    String rack,
    String cause)
    implements DmCommand {}
