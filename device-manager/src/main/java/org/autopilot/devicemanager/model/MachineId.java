package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * A machine's stable identity in the fleet.
 *
 * @param value 1–64 characters of {@code [A-Za-z0-9._-]}, starting with a letter or digit;
 *     unique across the fleet for the machine's whole life, Replace and return included
 */
public record MachineId(String value) implements Comparable<MachineId> {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Rejects an id that breaks the pattern, naming it. */
  public MachineId {
    if (value == null || !VALID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "machine id '" + value + "' must match " + VALID.pattern());
    }
  }

  /** Parses the JSON/URL form. */
  @JsonCreator
  public static MachineId of(String value) {
    return new MachineId(value);
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public int compareTo(MachineId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
