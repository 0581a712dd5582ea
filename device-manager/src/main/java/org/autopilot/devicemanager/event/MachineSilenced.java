package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine was silenced until a time (null: silence lifted).
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param until end of the silence, or null
 */
public record MachineSilenced(long revision, Instant at, String actor, String cause, MachineId machine, Instant until)
    implements DmEvent {}
