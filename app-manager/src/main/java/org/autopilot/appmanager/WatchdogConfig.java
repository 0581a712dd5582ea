package org.autopilot.appmanager;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.autopilot.watchdogs.builtin.Thresholds;

/**
 * How the agent runs its watchdogs (the {@code watchdogs:} section of {@code agent.yaml}). See
 * {@code docs/watchdogs.md}.
 *
 * @param dir the directory of watchdog scripts; null = {@code <home>/watchdogs}
 * @param interval pause between rounds, at least 100 ms
 * @param scriptTimeout longest a script (or a built-in check) may take, at least 100 ms
 * @param diskPath where the {@code disk} watchdog measures and probes; null = {@code <home>}
 * @param report watchdog service base URLs to send every round to ({@code POST
 *     {url}/api/v1/reports}); empty = send changes to the DM directly
 * @param disk free-space thresholds of the {@code disk} watchdog, percent
 * @param memory available-memory thresholds of the {@code memory} watchdog, percent
 * @param manifestRehash how often the {@code manifest} watchdog re-hashes every file; in
 *     between it re-hashes only files whose size or modification time changed
 */
public record WatchdogConfig(Path dir, Duration interval, Duration scriptTimeout, Path diskPath,
    List<URI> report, Thresholds disk, Thresholds memory, Duration manifestRehash) {
  private static final Duration MIN = Duration.ofMillis(100);

  /** Every default: scripts in {@code <home>/watchdogs}, 5 s rounds, 10 s timeout, DM direct. */
  public static final WatchdogConfig DEFAULTS = new WatchdogConfig(null, Duration.ofSeconds(5),
      Duration.ofSeconds(10), null, List.of(), Thresholds.DEFAULT, Thresholds.DEFAULT,
      Duration.ofSeconds(60));

  /** Validates. */
  public WatchdogConfig {
    if (interval == null || scriptTimeout == null || manifestRehash == null || disk == null || memory == null) {
      throw new IllegalArgumentException("watchdogs: interval, scriptTimeout, manifestRehash and thresholds are required");
    }
    if (interval.compareTo(MIN) < 0 || scriptTimeout.compareTo(MIN) < 0) {
      throw new IllegalArgumentException("watchdogs: interval and scriptTimeout must be at least 100ms");
    }
    report = report == null ? List.of() : List.copyOf(report);
  }

  /** This configuration with the defaults that depend on the agent's home filled in. */
  public WatchdogConfig under(Path home) {
    return new WatchdogConfig(dir == null ? home.resolve("watchdogs") : dir, interval, scriptTimeout,
        diskPath == null ? home : diskPath, report, disk, memory, manifestRehash);
  }

  /** A copy with another interval and script timeout (tests use short ones). */
  public WatchdogConfig withTiming(Duration newInterval, Duration newScriptTimeout) {
    return new WatchdogConfig(dir, newInterval, newScriptTimeout, diskPath, report, disk, memory,
        manifestRehash);
  }

  /** A copy with another script directory. */
  public WatchdogConfig withDir(Path newDir) {
    return new WatchdogConfig(newDir, interval, scriptTimeout, diskPath, report, disk, memory,
        manifestRehash);
  }

  /** A copy that sends every round to the watchdog service at {@code urls}. */
  public WatchdogConfig withReport(List<URI> urls) {
    return new WatchdogConfig(dir, interval, scriptTimeout, diskPath, urls, disk, memory,
        manifestRehash);
  }

  /** A copy re-hashing the manifest's files this often. */
  public WatchdogConfig withManifestRehash(Duration every) {
    return new WatchdogConfig(dir, interval, scriptTimeout, diskPath, report, disk, memory, every);
  }
}
