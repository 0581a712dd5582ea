package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A satellite lease was acquired, renewed or taken over after expiry.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param lease the lease as it now stands
 */
public record LeaseGranted(long revision, Instant at, String actor, String cause, Lease lease)
    implements DmEvent {}
