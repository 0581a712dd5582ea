package org.autopilot.watchdogs;

import java.time.Instant;
import java.util.List;

/**
 * Everything one round of the {@link WatchdogRunner} found: one verdict per watchdog that ran,
 * built-ins and registered checks first, then scripts by file name.
 *
 * @param at when the round started (the runner's clock)
 * @param verdicts at most {@link WatchdogRunner#MAX_WATCHDOGS}, names unique
 */
public record WatchdogRound(Instant at, List<WatchdogVerdict> verdicts) {
  /** Copies. */
  public WatchdogRound {
    verdicts = List.copyOf(verdicts);
  }

  /** The verdict of {@code watchdog} in this round, or null. */
  public WatchdogVerdict verdict(String watchdog) {
    return verdicts.stream().filter(v -> v.watchdog().equals(watchdog)).findFirst().orElse(null);
  }
}
