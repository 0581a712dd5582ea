package org.autopilot.watchdogs.builtin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code memory} watchdog: {@code MemAvailable} as a share of {@code MemTotal} from
 * {@code /proc/meminfo} (Linux 3.14 and later). Unknown when the file cannot be read or lacks
 * either line.
 */
public final class MemoryWatchdog implements Watchdog {
  /** The name in reports. */
  public static final String NAME = "memory";
  /** Where Linux tells. */
  public static final Path PROC_MEMINFO = Path.of("/proc/meminfo");

  private final Path meminfo;
  private final Thresholds available;

  /** Reads {@code meminfo} (normally {@link #PROC_MEMINFO}); thresholds in percent available. */
  public MemoryWatchdog(Path meminfo, Thresholds available) {
    this.meminfo = meminfo;
    this.available = available;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    List<String> lines;
    try {
      lines = Files.readAllLines(meminfo);
    } catch (IOException | RuntimeException e) {
      return unknown("cannot read " + meminfo + ": " + e.getMessage());
    }
    long total = kib(lines, "MemTotal");
    long avail = kib(lines, "MemAvailable");
    if (total <= 0 || avail < 0) {
      return unknown(meminfo + " has no readable " + (total <= 0 ? "MemTotal" : "MemAvailable"));
    }
    double pct = Math.min(100, avail * 100.0 / total);
    Health h = available.judge(pct);
    String text = h == Health.OK
        ? "memory OK: " + available.floor() + " available"
        : "memory " + h.label().toUpperCase() + ": " + Thresholds.percent(pct) + " available ("
            + Thresholds.bytes(avail * 1024) + " of " + Thresholds.bytes(total * 1024) + "), " + available.below(h);
    return new WatchdogResult(h, text, "", List.of(available.perf("available", pct),
        new PerfData("available_bytes", avail * 1024.0, "B", null, null, 0.0, total * 1024.0)), List.of());
  }

  /** The value in KiB of {@code key: N kB}, or -1. */
  private static long kib(List<String> lines, String key) {
    for (String line : lines) {
      if (line.startsWith(key + ":")) {
        String[] f = line.substring(key.length() + 1).trim().split("\\s+");
        try {
          long v = Long.parseLong(f[0]);
          return f.length > 1 && f[1].equalsIgnoreCase("kB") || f.length == 1 ? v : -1;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static WatchdogResult unknown(String why) {
    return new WatchdogResult(Health.UNKNOWN, "memory UNKNOWN: " + why, "", List.of(), List.of(why));
  }
}
