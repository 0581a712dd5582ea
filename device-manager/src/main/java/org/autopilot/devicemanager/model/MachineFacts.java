package org.autopilot.devicemanager.model;

import java.util.List;

/**
 * Hardware facts read from a machine at discovery.
 *
 * @param cpus logical CPU count, at least 0 (0 = not read)
 * @param memoryBytes installed memory in bytes, at least 0 (0 = not read)
 * @param disks disk device names, never null
 */
public record MachineFacts(int cpus, long memoryBytes, List<String> disks) {
  /** Facts with nothing read yet. */
  public static final MachineFacts UNKNOWN = new MachineFacts(0, 0, List.of());

  /** Normalises nulls and rejects negative figures. */
  public MachineFacts {
    if (cpus < 0 || memoryBytes < 0) {
      throw new IllegalArgumentException("facts must not be negative");
    }
    disks = disks == null ? List.of() : List.copyOf(disks);
  }
}
