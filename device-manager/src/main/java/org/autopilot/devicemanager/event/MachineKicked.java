package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;

/**
 * A machine was asked to retry pre-loading at once.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 */
public record MachineKicked(long revision, Instant at, String actor, String cause, MachineId machine)
    implements DmEvent {}
