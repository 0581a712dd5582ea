package org.autopilot.collection.model;

import java.time.Duration;

/** A storage tier, and the resolution a series is read at. */
public enum Step {
  /** Every sample as sent. */
  RAW(0),
  /** Per-minute aggregates (avg, min, max, count). */
  MINUTE(Duration.ofMinutes(1).toMillis()),
  /** Per-hour aggregates. */
  HOUR(Duration.ofHours(1).toMillis());

  private final long millis;

  Step(long millis) {
    this.millis = millis;
  }

  /** The bucket width in milliseconds (0 for raw). */
  public long millis() {
    return millis;
  }

  /** The name used in the API ({@code raw}, {@code minute}, {@code hour}). */
  public String apiName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
