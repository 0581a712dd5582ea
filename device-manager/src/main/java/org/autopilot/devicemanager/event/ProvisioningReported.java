package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;

/**
 * A provisioning step was recorded on a machine.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param step the step as recorded (its {@code at} equals this event's)
 */
public record ProvisioningReported(long revision, Instant at, String actor, String cause,
    MachineId machine, ProvisioningStep step) implements DmEvent {}
