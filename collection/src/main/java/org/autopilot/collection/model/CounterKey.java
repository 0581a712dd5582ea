package org.autopilot.collection.model;

import java.util.regex.Pattern;

/**
 * One series' identity: which machine, which app on it, which counter.
 *
 * @param machine the machine id (as in the DM), never empty
 * @param app the app the counter belongs to; empty for machine-level counters
 * @param counter the counter's dotted name, e.g. {@code os.cpu.busy_pct}
 */
public record CounterKey(String machine, String app, String counter) {
  /** Machine and app names: as DM ids. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** Counter names: a letter or digit, then letters, digits and {@code . _ - : / %}, at most 128. */
  public static final Pattern COUNTER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/%-]{0,127}");

  /** Checks the three names. */
  public CounterKey {
    if (machine == null || !NAME.matcher(machine).matches()) {
      throw new IllegalArgumentException("machine '" + machine + "' must match " + NAME);
    }
    if (app == null || (!app.isEmpty() && !NAME.matcher(app).matches())) {
      throw new IllegalArgumentException("app '" + app + "' must be empty or match " + NAME);
    }
    if (counter == null || !COUNTER.matcher(counter).matches()) {
      throw new IllegalArgumentException("counter '" + counter + "' must match " + COUNTER);
    }
  }

  /** A counter name made from free text (a perfdata label): disallowed characters become {@code _}. */
  public static String sanitize(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && b.length() < 128; i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || (b.length() > 0 && ".:/%-_".indexOf(c) >= 0);
      b.append(ok ? c : '_');
    }
    return b.length() == 0 ? "_" : b.toString();
  }
}
