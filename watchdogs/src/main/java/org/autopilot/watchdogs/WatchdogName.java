package org.autopilot.watchdogs;

import java.util.Set;
import java.util.regex.Pattern;

/** Watchdog names as the Device Manager accepts them: {@code [A-Za-z0-9_.:-]{1,64}}. */
public final class WatchdogName {
  /** What a name must match. */
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final int MAX = 64;
  /**
   * Names no machine may report: the watchdog service reports {@code heartbeat} (a round's
   * arrival) and {@code ssh} (its outside probe), the DM records operator verdicts as
   * {@code reported}.
   */
  public static final Set<String> NOT_FROM_MACHINES = Set.of("heartbeat", "ssh", "reported");
  /**
   * Names a machine's scripts may not use: the above and the agent's own {@code agent} (its
   * start). A script so named is renamed ({@code ssh-2}).
   */
  public static final Set<String> RESERVED = Set.of("heartbeat", "ssh", "reported", "agent");

  private WatchdogName() {}

  /** Whether {@code name} may be reported as it is. */
  public static boolean valid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }

  /**
   * A name from a script's file name: every character outside the pattern becomes {@code _},
   * cut to 64 characters ({@code check disk!} is {@code check_disk_}).
   */
  public static String sanitize(String raw) {
    StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX));
    for (int i = 0; i < raw.length() && out.length() < MAX; i++) {
      char c = raw.charAt(i);
      boolean ok = c < 128 && (Character.isLetterOrDigit(c) || "_.:-".indexOf(c) >= 0);
      out.append(ok ? c : '_');
    }
    return out.length() == 0 ? "_" : out.toString();
  }

  /** {@code name}, or {@code name-2}, {@code name-3}... (cut to fit) when {@code taken} has it. */
  public static String unique(String name, Set<String> taken) {
    if (!taken.contains(name)) {
      return name;
    }
    for (int i = 2; ; i++) {
      String suffix = "-" + i;
      String base = name.length() + suffix.length() > MAX ? name.substring(0, MAX - suffix.length()) : name;
      if (!taken.contains(base + suffix)) {
        return base + suffix;
      }
    }
  }
}
