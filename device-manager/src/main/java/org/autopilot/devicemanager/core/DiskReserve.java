package org.autopilot.devicemanager.core;

import java.util.Optional;

/**
 * The free-space rule of a replica's data directory: writes are accepted only while more than
 * {@code minFreeBytes} stay free on its file system, so that the Raft log never hits a full disk
 * in the middle of an entry and a snapshot still fits. Pure: the caller measures.
 *
 * @param minFreeBytes bytes that must stay free; 0 turns the rule off
 */
public record DiskReserve(long minFreeBytes) {
  /** Default reserve: 256 MiB (two default log segments, a large snapshot and slack). */
  public static final long DEFAULT_MIN_FREE_BYTES = 256L << 20;

  /** Validates the reserve. */
  public DiskReserve {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("minFreeBytes must not be negative, was " + minFreeBytes);
    }
  }

  /**
   * Why writes must be refused with {@code usableBytes} free under {@code dir}, or empty when
   * they may go on.
   */
  public Optional<String> refusal(String dir, long usableBytes) {
    if (minFreeBytes == 0 || usableBytes >= minFreeBytes) {
      return Optional.empty();
    }
    return Optional.of("disk nearly full: " + usableBytes + " bytes free under " + dir
        + ", reserve " + minFreeBytes + "; writes refused until space is freed");
  }
}
