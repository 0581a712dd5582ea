package org.autopilot.watchdogs.service;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits, bounded, for a condition the system reaches asynchronously. */
final class Await {
  private Await() {}

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code limit}. */
  static void until(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
    throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
  }
}
