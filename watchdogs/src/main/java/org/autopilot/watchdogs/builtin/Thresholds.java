package org.autopilot.watchdogs.builtin;

import java.util.List;
import java.util.Locale;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.Range;

/**
 * Alert levels for a share that should stay high (free disk, available memory): below
 * {@code warnBelow} percent is Warning, below {@code errorBelow} is Error.
 *
 * @param warnBelow percent, 0..100, at least {@code errorBelow}
 * @param errorBelow percent, 0..100
 */
public record Thresholds(double warnBelow, double errorBelow) {
  /** Validates. */
  public Thresholds {
    if (!(errorBelow >= 0 && errorBelow <= warnBelow && warnBelow <= 100)) {
      throw new IllegalArgumentException("thresholds need 0 <= error (" + errorBelow
          + ") <= warning (" + warnBelow + ") <= 100 percent");
    }
  }

  /** Warning below 10 %, Error below 5 %. */
  public static final Thresholds DEFAULT = new Thresholds(10, 5);

  /** The verdict for {@code percent}. */
  public Health judge(double percent) {
    return percent < errorBelow ? Health.ERROR : percent < warnBelow ? Health.WARNING : Health.OK;
  }

  /** A perfdata item {@code label=P%;warn:;error:;0;100} for {@code percent}. */
  public PerfData perf(String label, double percent) {
    return new PerfData(label, round(percent), "%", new Range(warnBelow, Double.POSITIVE_INFINITY, false),
        new Range(errorBelow, Double.POSITIVE_INFINITY, false), 0.0, 100.0);
  }

  /** {@code 12.3} for 12.345. */
  static double round(double percent) {
    return Math.round(percent * 10) / 10.0;
  }

  /** {@code 12.3%}. */
  static String percent(double p) {
    return String.format(Locale.ROOT, "%.1f%%", p);
  }

  /** {@code 1.5 GiB}. */
  static String bytes(long n) {
    List<String> units = List.of("B", "KiB", "MiB", "GiB", "TiB", "PiB");
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.size() - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units.get(u));
  }

  /** The words for the OK text: {@code at least 10%}. */
  String floor() {
    return "at least " + plain(warnBelow) + "%";
  }

  /** The words for a Warning or Error text: {@code below 5%}. */
  String below(Health h) {
    return "below " + plain(h == Health.ERROR ? errorBelow : warnBelow) + "%";
  }

  private static String plain(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
