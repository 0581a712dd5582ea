package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import java.time.Duration;

/** A host's bandwidth cap: a token bucket of bytes, refilled every second, bursts of 1/10 s (at least {@link #SLICE}). */
final class Bandwidth {
  /** Most bytes paid for at once: never more than any bucket's capacity. */
  static final int SLICE = 65_536;

  private Bandwidth() {}

  /** A bucket for {@code bytesPerSecond}, or null (uncapped) when it is 0 or less. */
  static Bucket cap(long bytesPerSecond) {
    return bytesPerSecond <= 0 ? null : Bucket.builder()
        .addLimit(io.github.bucket4j.Bandwidth.builder()
            .capacity(Math.max(bytesPerSecond / 10, SLICE))
            .refillGreedy(bytesPerSecond, Duration.ofSeconds(1)).build())
        .build();
  }

  /** Waits until {@code bytes} may pass {@code bucket} (null = uncapped), in slices the bucket can hold. */
  static void take(Bucket bucket, long bytes) throws InterruptedException {
    if (bucket == null) {
      return;
    }
    for (long left = bytes; left > 0; left -= SLICE) {
      bucket.asBlocking().consume(Math.min(SLICE, left));
    }
  }
}
