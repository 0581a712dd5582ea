package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine's repair was chosen, held, claimed, started or ended (null: cleared).
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param repair its repair now, or null
 */
public record RepairUpdated(long revision, Instant at, String actor, String cause, MachineId machine, Repair repair)
    implements DmEvent {}
