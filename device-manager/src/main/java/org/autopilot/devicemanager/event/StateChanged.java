package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine moved along its lifecycle (a legal move of the transition table).
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param from the state it left
 * @param to the state it entered
 */
public record StateChanged(long revision, Instant at, String actor, String cause, MachineId machine, LifecycleState from, LifecycleState to)
    implements DmEvent {}
