package org.autopilot.collection.model;

import java.util.Set;

/**
 * One log line as stored and returned.
 *
 * @param t when it was written, epoch milliseconds
 * @param machine the machine it came from
 * @param app the app whose output it is; empty for the agent's own events
 * @param level one of {@link #LEVELS}
 * @param text the line, without its line break, at most {@link #MAX_TEXT} characters
 */
public record LogLine(long t, String machine, String app, String level, String text) {
  /** The levels a line may have. */
  public static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
  /** Longest text stored. */
  public static final int MAX_TEXT = 8192;
}
