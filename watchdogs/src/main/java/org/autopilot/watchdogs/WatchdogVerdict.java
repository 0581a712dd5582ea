package org.autopilot.watchdogs;

import java.util.List;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.WatchdogState;

/**
 * One watchdog's verdict in one round, as it is reported.
 *
 * @param watchdog its name, matching {@link WatchdogName#PATTERN}
 * @param status OK, Warning, Error or Unknown
 * @param text one line, no control characters, at most {@link #MAX_TEXT} characters
 * @param consecutive how many rounds in a row, this one included, gave {@code status}; at least 1
 * @param perfData the performance data of this round
 */
public record WatchdogVerdict(String watchdog, Health status, String text, int consecutive,
    List<PerfData> perfData) {
  /** The longest text the DM keeps. */
  public static final int MAX_TEXT = WatchdogState.MAX_TEXT;

  /** Validates and copies. */
  public WatchdogVerdict {
    if (!WatchdogName.valid(watchdog)) {
      throw new IllegalArgumentException("watchdog name '" + watchdog + "' does not match "
          + WatchdogName.PATTERN.pattern());
    }
    if (status == null || consecutive < 1) {
      throw new IllegalArgumentException(watchdog + ": status is required, consecutive at least 1");
    }
    text = clean(text);
    perfData = perfData == null ? List.of() : List.copyOf(perfData);
  }

  /** The verdict as the DM's {@code ReportWatchdogs} carries it (no perfdata). */
  public ReportWatchdogs.Verdict toDm() {
    return new ReportWatchdogs.Verdict(watchdog, status, text, consecutive);
  }

  /**
   * One line fit for a report: control characters (line breaks included) become spaces,
   * unreadable bytes {@code ?}, and more than {@link #MAX_TEXT} characters end in {@code ...}.
   */
  public static String clean(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT + 1));
    for (int i = 0; i < text.length() && b.length() <= MAX_TEXT; i++) {
      char c = text.charAt(i);
      b.append(c == '\uFFFD' ? '?' : Character.isISOControl(c) ? ' ' : c);
    }
    String s = b.toString().strip();
    if (s.length() <= MAX_TEXT) {
      return s;
    }
    int cut = MAX_TEXT - 3;
    if (Character.isHighSurrogate(s.charAt(cut - 1))) {
      cut--;
    }
    return s.substring(0, cut) + "...";
  }
}
