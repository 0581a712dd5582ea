package org.autopilot.manifests;

import java.time.Duration;

/**
 * How the app-manager asks an app whether it is well: a command run in the app's directory
 * whose exit status follows the Nagios plugin protocol (0 OK, 1 Warning, 2 Error, 3 Unknown).
 *
 * @param command the command, run with {@code sh -c} in the app directory
 * @param interval how often, e.g. {@code 10s}; 1 s to 1 h
 * @param timeout how long one run may take before it counts as Unknown; below {@code interval}
 */
public record HealthCheck(String command, String interval, String timeout) {
  /** Validates and fills defaults ({@code 10s}, {@code 5s}). */
  public HealthCheck {
    if (command == null || command.isBlank() || command.length() > 4096) {
      throw new IllegalArgumentException("health check command is missing or longer than 4096");
    }
    interval = interval == null ? "10s" : interval;
    timeout = timeout == null ? "5s" : timeout;
    Duration i = Durations.parse(interval, "health check interval");
    Duration t = Durations.parse(timeout, "health check timeout");
    if (i.compareTo(Duration.ofSeconds(1)) < 0 || i.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("health check interval must be 1s..1h, got " + interval);
    }
    if (t.isZero() || t.compareTo(i) >= 0) {
      throw new IllegalArgumentException("health check timeout " + timeout
          + " must be positive and shorter than the interval " + interval);
    }
  }
}
