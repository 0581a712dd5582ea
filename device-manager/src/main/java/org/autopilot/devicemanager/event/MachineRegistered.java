package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A new machine entered the fleet in state New.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine as registered
 */
public record MachineRegistered(long revision, Instant at, String actor, String cause, Machine machine)
    implements DmEvent {}
