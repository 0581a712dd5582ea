package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a machine is in its life; the legal moves between states are {@link Transitions}. */
public enum LifecycleState {
  /** Discovered, not yet installed. */
  @JsonProperty("New") NEW,
  /** Its image is being installed. */
  @JsonProperty("Provisioning") PROVISIONING,
  /** Installed; the burn-in watchdog suite is running. */
  @JsonProperty("BurnIn") BURN_IN,
  /** In service. */
  @JsonProperty("Healthy") HEALTHY,
  /** Under watch after a repair or a manifest activation. */
  @JsonProperty("Probation") PROBATION,
  /** Confirmed failed; waiting for a repair action. */
  @JsonProperty("Failure") FAILURE,
  /** Out of service, waiting for a human (RMA). */
  @JsonProperty("Replace") REPLACE,
  /** Gone for good; terminal. */
  @JsonProperty("Decommissioned") DECOMMISSIONED;

  /** The name used in JSON, the CLI and logs, e.g. {@code BurnIn}. */
  public String label() {
    try {
      return LifecycleState.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new AssertionError(e);
    }
  }

  /** Parses either the label ({@code BurnIn}) or the constant name ({@code BURN_IN}). */
  public static LifecycleState parse(String text) {
    for (LifecycleState s : values()) {
      if (s.label().equalsIgnoreCase(text) || s.name().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown lifecycle state '" + text + "'");
  }
}
