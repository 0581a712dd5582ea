package org.autopilot.devicemanager.client;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.autopilot.devicemanager.command.AcquireLease;
import org.autopilot.devicemanager.command.ReleaseLease;
import org.autopilot.devicemanager.core.CommandResult;

/**
 * Leadership of one satellite service through a DM lease: {@link #tryHold()} acquires or renews
 * the lease and says whether this instance may act. The holder renews well before expiry; a
 * holder that cannot reach the DM stops acting once its own view of the lease has run out (its
 * clock started before it asked, so it never believes in the lease longer than the DM does).
 */
public final class LeaseKeeper {
  private final DmClient dm;
  private final String service;
  private final String holder;
  private final Duration ttl;
  private final InstantSource clock;
  private Instant validUntil = Instant.MIN;
  private long epoch;

  /** Keeps lease {@code service} for {@code holder} with time-to-live {@code ttl}. */
  public LeaseKeeper(DmClient dm, String service, String holder, Duration ttl, InstantSource clock) {
    this.dm = dm;
    this.service = service;
    this.holder = holder;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Acquires or renews; true if this instance holds the lease now. */
  public synchronized boolean tryHold() {
    Instant asked = clock.instant();
    try {
      CommandResult r = dm.send(new AcquireLease(service, holder, ttl.toMillis(), ""));
      if (r.accepted()) {
        validUntil = asked.plus(ttl);
        epoch = r.events().isEmpty() ? epoch
            : ((org.autopilot.devicemanager.event.LeaseGranted) r.events().get(0)).lease().epoch();
        return true;
      }
      validUntil = Instant.MIN;
      return false;
    } catch (DmClientException e) {
      return clock.instant().isBefore(validUntil);
    }
  }

  /** The fencing epoch of the lease as last granted to this instance. */
  public synchronized long epoch() {
    return epoch;
  }

  /** Gives the lease up (best effort), e.g. on shutdown. */
  public synchronized void release() {
    validUntil = Instant.MIN;
    try {
      dm.send(new ReleaseLease(service, holder, "shutting down"));
    } catch (DmClientException ignored) {
      // it expires by itself
    }
  }
}
