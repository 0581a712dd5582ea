package org.autopilot.filesync;

import java.net.URI;
import java.time.Duration;

/**
 * How a {@link SwarmFetcher} behaves. {@link #defaults()} suits a fleet on one network; the
 * {@code with...} methods change one knob.
 *
 * @param downlinkBytesPerSecond the host's download cap, shared by all its transfers (0 = none)
 * @param parallel most chunk transfers in flight per fetch (the client's concurrency cap), &gt;= 1
 * @param perPeer most transfers from one peer at once, &gt;= 1
 * @param perSeed most transfers from one seed at once, &gt;= 1; 1 keeps a seed's uplink spread
 *     over many fetchers, each getting its own chunk through quickly
 * @param window chunks are taken rarest first among the first {@code window} chunks not yet
 *     held (when any of them can be had), so the file's verified prefix, and its hash, keep up
 *     with the download; 0 = rarest first over the whole file
 * @param announceInterval how often a fetch reports to the tracker and refreshes its view of the
 *     swarm, unless the tracker asks for another interval
 * @param chunkTimeout a chunk transfer that takes longer is cut off and its source backs off
 * @param slowChunk a chunk transfer that takes longer than this is accepted, but its source backs
 *     off (others are preferred for a while)
 * @param maxBackoff longest pause before asking a failing or busy source again (it doubles from
 *     100 ms, with jitter)
 * @param stallTimeout a fetch that has had no source to ask and nothing in flight for this long
 *     gives up (its verified chunks are kept)
 * @param seedFor how long a fetched blob is announced to the tracker afterwards, so others
 *     fetch from this host
 * @param tracker base URI of the server hosting the tracker; null = the first seed of each fetch
 */
public record SwarmConfig(long downlinkBytesPerSecond, int parallel, int perPeer, int perSeed, int window,
    Duration announceInterval, Duration chunkTimeout, Duration slowChunk, Duration maxBackoff,
    Duration stallTimeout, Duration seedFor, URI tracker) {

  /** Checks the invariants above. */
  public SwarmConfig {
    if (parallel < 1 || perPeer < 1 || perSeed < 1 || window < 0) {
      throw new IllegalArgumentException("parallel, perPeer and perSeed must be at least 1, window at least 0");
    }
    for (Duration d : new Duration[] {announceInterval, chunkTimeout, slowChunk, maxBackoff, stallTimeout, seedFor}) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive");
      }
    }
  }

  /** Uncapped, 8 transfers per fetch, 2 per peer, 1 per seed, a window of 32 chunks, announce every 250 ms. */
  public static SwarmConfig defaults() {
    return new SwarmConfig(0, 8, 2, 1, 32, Duration.ofMillis(250), Duration.ofSeconds(60),
        Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(10), null);
  }

  /** With a download cap (bytes per second, 0 = none). */
  public SwarmConfig withDownlink(long bytesPerSecond) {
    return new SwarmConfig(bytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }

  /** With another window (0 = rarest first over the whole file). */
  public SwarmConfig withWindow(int window) {
    return new SwarmConfig(downlinkBytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }

  /** With other transfer concurrency caps. */
  public SwarmConfig withConcurrency(int parallel, int perPeer, int perSeed) {
    return new SwarmConfig(downlinkBytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }

  /** With other timeouts. */
  public SwarmConfig withTimeouts(Duration chunkTimeout, Duration slowChunk, Duration stallTimeout) {
    return new SwarmConfig(downlinkBytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }

  /** With another announce interval. */
  public SwarmConfig withAnnounceInterval(Duration announceInterval) {
    return new SwarmConfig(downlinkBytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }

  /** With a fixed tracker. */
  public SwarmConfig withTracker(URI tracker) {
    return new SwarmConfig(downlinkBytesPerSecond, parallel, perPeer, perSeed, window, announceInterval, chunkTimeout,
        slowChunk, maxBackoff, stallTimeout, seedFor, tracker);
  }
}
