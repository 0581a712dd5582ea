package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * An incident was opened or resolved.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param incident the incident now
 */
public record IncidentUpdated(long revision, Instant at, String actor, String cause, Incident incident)
    implements DmEvent {}
