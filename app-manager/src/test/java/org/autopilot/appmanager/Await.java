package org.autopilot.appmanager;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits, bounded, for a condition the system reaches asynchronously. */
public final class Await {
  private Await() {}

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code limit}. */
  public static void until(String what, Duration limit, BooleanSupplier condition) {
    until(what, limit, condition, () -> "");
  }

  /** As {@link #until(String, Duration, BooleanSupplier)}, adding {@code state} to the failure. */
  public static void until(String what, Duration limit, BooleanSupplier condition, Supplier<String> state) {
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
    String s;
    try {
      s = state.get();
    } catch (RuntimeException e) {
      s = "(state unreadable: " + e + ")";
    }
    throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what
        + (s.isEmpty() ? "" : "; " + s));
  }
}
