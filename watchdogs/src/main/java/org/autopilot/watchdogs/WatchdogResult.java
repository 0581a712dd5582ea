package org.autopilot.watchdogs;

import java.util.List;
import org.autopilot.devicemanager.model.Health;

/**
 * What one run of one watchdog said.
 *
 * @param status the verdict, from the exit status only (0 OK, 1 Warning, 2 Error, 3 and
 *     anything else Unknown; a timeout or crash is Unknown)
 * @param text the first line's text (before any {@code |})
 * @param longText further lines of text, joined with newlines
 * @param perfData every readable perfdata item, first line's and long output's
 * @param problems what could not be read (bad perfdata item, truncated output, timeout), with
 *     where; empty when the output followed the protocol
 */
public record WatchdogResult(Health status, String text, String longText, List<PerfData> perfData,
    List<String> problems) {
  /** Copies the lists. */
  public WatchdogResult {
    perfData = List.copyOf(perfData);
    problems = List.copyOf(problems);
  }
}
