package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine's reported health changed.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param from the health before
 * @param to the health now
 */
public record HealthChanged(long revision, Instant at, String actor, String cause, MachineId machine, Health from, Health to)
    implements DmEvent {}
