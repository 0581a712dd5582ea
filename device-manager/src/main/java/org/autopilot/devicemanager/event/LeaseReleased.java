package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * The holder gave a satellite lease up.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param service the service
 * @param holder the former holder
 */
public record LeaseReleased(long revision, Instant at, String actor, String cause, String service, String holder)
    implements DmEvent {}
