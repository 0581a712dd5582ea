package org.autopilot.devicemanager.model;

/**
 * What a machine's app-manager reports about one app of the running manifest.
 *
 * @param name the app's name in the manifest
 * @param state what it is doing
 * @param restarts how often it was restarted since the manifest was activated, at least 0
 * @param detail short words for humans (e.g. "exit 3 after 0.2 s"), at most 256 characters
 */
public record AppStatus(String name, State state, int restarts, String detail) {
  /** Validates. */
  public AppStatus {
    if (name == null || name.isBlank() || name.length() > 64) {
      throw new IllegalArgumentException("app name is missing or longer than 64 characters");
    }
    if (state == null) {
      throw new IllegalArgumentException("state of app " + name + " is missing");
    }
    if (restarts < 0) {
      throw new IllegalArgumentException("restarts of app " + name + " is negative");
    }
    detail = detail == null ? "" : detail;
    if (detail.length() > 256) {
      throw new IllegalArgumentException("detail of app " + name + " is longer than 256 characters");
    }
  }

  /** Where an app is in its life on the machine. */
  public enum State {
    /** Started, not yet running long enough to count as up. */
    STARTING,
    /** Up. */
    RUNNING,
    /** Exited; waiting before the next restart. */
    BACKOFF,
    /** Restarted too often in a short time; still retried, slowly. */
    CRASH_LOOP,
    /** Not running on purpose (manifest switch, shutdown). */
    STOPPED
  }
}
