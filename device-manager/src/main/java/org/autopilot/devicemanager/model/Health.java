package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The last reported watchdog verdict for a machine (Nagios semantics). */
public enum Health {
  /** All watchdogs pass. */
  @JsonProperty("OK") OK,
  /** Degraded but serving; never leads to Failure on its own. */
  @JsonProperty("Warning") WARNING,
  /** A watchdog reports an error; confirmation policy decides whether it means Failure. */
  @JsonProperty("Error") ERROR,
  /** A watchdog could not tell; it is broken, the machine is not counted as failed. */
  @JsonProperty("Unknown") UNKNOWN;

  /** The name used in JSON, the CLI and logs, e.g. {@code Warning}. */
  public String label() {
    return this == OK ? "OK" : name().charAt(0) + name().substring(1).toLowerCase();
  }

  /** Parses the JSON label or the constant name, case-insensitively. */
  public static Health parse(String text) {
    for (Health h : values()) {
      if (h.name().equalsIgnoreCase(text)) {
        return h;
      }
    }
    throw new IllegalArgumentException("unknown health '" + text + "'");
  }
}
