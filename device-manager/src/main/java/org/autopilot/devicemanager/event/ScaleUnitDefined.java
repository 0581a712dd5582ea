package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A scale unit was created.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param scaleUnit the new unit
 */
public record ScaleUnitDefined(long revision, Instant at, String actor, String cause, ScaleUnit scaleUnit)
    implements DmEvent {}
