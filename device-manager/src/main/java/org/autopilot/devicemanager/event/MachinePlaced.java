package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A machine's type, scale unit or rack changed.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param machineType its type now, or null
 * @param scaleUnit its scale unit now, or null
 * @param rack its rack now, or null
 */
public record MachinePlaced(long revision, Instant at, String actor, String cause, MachineId machine, String machineType, String scaleUnit, String rack)
    implements DmEvent {}
