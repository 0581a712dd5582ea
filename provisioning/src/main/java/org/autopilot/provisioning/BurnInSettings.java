package org.autopilot.provisioning;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How burn-in judges a freshly imaged machine ({@code burnIn:} in the configuration).
 *
 * @param duration how long the machine is watched (from its move to BurnIn)
 * @param require watchdogs that must have reported OK or Warning by the end (its agent's
 *     built-ins by default: the suite that exercises CPU, memory and disk, plus any scripts)
 * @param ignore watchdogs whose Errors do not fail burn-in (none by default)
 */
public record BurnInSettings(Duration duration, List<String> require, List<String> ignore) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  /** Validates. */
  public BurnInSettings {
    Checks.require(Checks.between(duration, Duration.ZERO, Duration.ofDays(7)), "burnIn.duration must be 0s..7d");
    require = require == null ? List.of() : List.copyOf(require);
    ignore = ignore == null ? List.of() : List.copyOf(ignore);
    for (String w : require) {
      Checks.require(NAME.matcher(w).matches(), "burnIn.require: '" + w + "' is not a watchdog name");
    }
    for (String w : ignore) {
      Checks.require(NAME.matcher(w).matches(), "burnIn.ignore: '" + w + "' is not a watchdog name");
    }
  }

  /** Ten minutes; heartbeat, disk and memory required. */
  public static BurnInSettings defaults() {
    return new BurnInSettings(Duration.ofMinutes(10), List.of("heartbeat", "disk", "memory"), List.of());
  }

  /** A copy lasting {@code d}. */
  public BurnInSettings withDuration(Duration d) {
    return new BurnInSettings(d, require, ignore);
  }
}
