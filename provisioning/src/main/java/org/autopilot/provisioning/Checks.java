package org.autopilot.provisioning;

import java.time.Duration;

/** Argument checks of the configuration records. */
final class Checks {
  private Checks() {}

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  static boolean between(Duration d, Duration min, Duration max) {
    return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
  }
}
