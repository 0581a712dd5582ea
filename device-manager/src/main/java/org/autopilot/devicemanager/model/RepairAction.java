package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** A step of the repair ladder. */
public enum RepairAction {
  /** Leave it alone and watch it in Probation (a transient or false positive). */
  DO_NOTHING("DoNothing"),
  /** Restart the machine. */
  REBOOT("Reboot"),
  /** Wipe and reinstall its image. */
  REIMAGE("Reimage"),
  /** Take it out of service for a human to replace. */
  REPLACE("Replace");

  private final String label;

  RepairAction(String label) {
    this.label = label;
  }

  /** The name used in JSON, YAML, the CLI and logs. */
  @JsonValue
  public String label() {
    return label;
  }

  /** Parses the label or the constant name, case-insensitively. */
  @JsonCreator
  public static RepairAction parse(String text) {
    for (RepairAction a : values()) {
      if (a.label.equalsIgnoreCase(text) || a.name().equalsIgnoreCase(text)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown repair action '" + text
        + "' (DoNothing, Reboot, Reimage, Replace)");
  }
}
