package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Where a machine is in its life; the legal moves between states are {@link Transitions}. */
public enum LifecycleState {
  /** Discovered, not yet installed. */
  NEW("New"),
  /** Its image is being installed. */
  PROVISIONING("Provisioning"),
  /** Installed; the burn-in watchdog suite is running. */
  BURN_IN("BurnIn"),
  /** In service. */
  HEALTHY("Healthy"),
  /** Under watch after a repair or a manifest activation. */
  PROBATION("Probation"),
  /** Confirmed failed; waiting for a repair action. */
  FAILURE("Failure"),
  /** Out of service, waiting for a human (RMA). */
  REPLACE("Replace"),
  /** Gone for good; terminal. */
  DECOMMISSIONED("Decommissioned");

  private final String label;

  LifecycleState(String label) {
    this.label = label;
  }

  /** The name used in JSON, the CLI and logs, e.g. {@code BurnIn}. */
  @JsonValue
  public String label() {
    return label;
  }

  /** Parses either the label ({@code BurnIn}) or the constant name ({@code BURN_IN}). */
  @JsonCreator
  public static LifecycleState parse(String text) {
    for (LifecycleState s : values()) {
      if (s.label().equalsIgnoreCase(text) || s.name().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown lifecycle state '" + text + "'");
  }
}
