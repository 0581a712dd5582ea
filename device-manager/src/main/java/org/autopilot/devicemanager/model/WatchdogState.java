package org.autopilot.devicemanager.model;

import java.time.Instant;

/**
 * What one watchdog last said about one machine, as the DM recorded it. Only changes reach the
 * DM: a new status or text, or (while in Error) a growing count of consecutive reports.
 *
 * @param name the watchdog, e.g. {@code disk}, {@code heartbeat}, {@code check_http}
 * @param status its verdict
 * @param text its first output line (at most {@link #MAX_TEXT} characters)
 * @param since leader time at which {@code status} was first recorded
 * @param consecutive how many consecutive runs gave this status, as counted by the reporter
 */
public record WatchdogState(String name, Health status, String text, Instant since, int consecutive) {
  /** The longest text kept. */
  public static final int MAX_TEXT = 512;
}
