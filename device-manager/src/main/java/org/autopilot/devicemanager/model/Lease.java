package org.autopilot.devicemanager.model;

import java.time.Instant;

/**
 * Leadership of a satellite service, granted by the DM. A holder acts only while
 * {@code now < expiresAt} by its own clock minus a safety margin; {@code epoch} is a fencing
 * token that grows every time the lease changes hands.
 *
 * @param service the satellite service, e.g. {@code repair}
 * @param holder the replica that holds it
 * @param epoch fencing token, strictly increasing per service across holders
 * @param acquiredAt leader time at which this holder got it
 * @param expiresAt leader time after which anyone may take it
 * @param version DM revision of the last grant or renewal
 */
public record Lease(
    String service, String holder, long epoch, Instant acquiredAt, Instant expiresAt, long version) {

  /** Whether the lease still binds at leader time {@code now}. */
  public boolean heldAt(Instant now) {
    return now.isBefore(expiresAt);
  }
}
