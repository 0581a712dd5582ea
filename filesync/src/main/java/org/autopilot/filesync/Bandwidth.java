package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import java.time.Duration;

/** A host's bandwidth cap: a token bucket of bytes, refilled every second, bursts of 1/10 s. */
final class Bandwidth {
  private Bandwidth() {}

  /** A bucket for {@code bytesPerSecond}, or null (uncapped) when it is 0 or less. */
  static Bucket cap(long bytesPerSecond) {
    return bytesPerSecond <= 0 ? null : Bucket.builder()
        .addLimit(io.github.bucket4j.Bandwidth.builder()
            .capacity(Math.max(bytesPerSecond / 10, 65_536))
            .refillGreedy(bytesPerSecond, Duration.ofSeconds(1)).build())
        .build();
  }
}
