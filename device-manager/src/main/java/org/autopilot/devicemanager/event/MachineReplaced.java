package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A human replaced the machine's hardware: history, watchdogs and repair cleared.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 */
public record MachineReplaced(long revision, Instant at, String actor, String cause, MachineId machine)
    implements DmEvent {}
