package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine type was created or changed.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machineType the type as it now stands
 */
public record MachineTypeDefined(long revision, Instant at, String actor, String cause, MachineType machineType)
    implements DmEvent {}
