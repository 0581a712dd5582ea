package org.autopilot.collection.wire;

import java.time.Duration;

/**
 * What one batch may hold.
 *
 * @param maxBodyBytes largest body as sent (compressed)
 * @param maxInflatedBytes largest body once inflated; a gzip body inflating past it is refused
 *     (a "gzip bomb")
 * @param maxSamples most samples in one batch
 * @param maxLogs most log lines in one batch
 * @param maxAge oldest sample or line accepted, before the service's clock
 * @param maxFuture latest sample or line accepted, after the service's clock (clock skew)
 */
public record Limits(int maxBodyBytes, int maxInflatedBytes, int maxSamples, int maxLogs,
    Duration maxAge, Duration maxFuture) {

  /** 8 MiB sent, 64 MiB inflated, 500,000 samples, 50,000 lines, 2 h old, 5 min ahead. */
  public static final Limits DEFAULTS = new Limits(8 << 20, 64 << 20, 500_000, 50_000,
      Duration.ofHours(2), Duration.ofMinutes(5));

  /** Checks the bounds. */
  public Limits {
    if (maxBodyBytes < 1024 || maxInflatedBytes < maxBodyBytes || maxSamples < 1 || maxLogs < 1) {
      throw new IllegalArgumentException("limits: maxBodyBytes >= 1024, maxInflatedBytes >= "
          + "maxBodyBytes, maxSamples >= 1 and maxLogs >= 1 are required");
    }
    if (maxAge == null || maxAge.isNegative() || maxFuture == null || maxFuture.isNegative()) {
      throw new IllegalArgumentException("limits: maxAge and maxFuture must be durations >= 0");
    }
  }
}
