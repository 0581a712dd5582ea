package org.autopilot.devicemanager.replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to run one Raft member.
 *
 * @param id this member's id; must be a key of {@code peers}
 * @param peers every member's id and Raft address ({@code host:port}), this one included
 * @param dataDir where the Raft log and snapshots live; created when missing
 * @param electionTimeoutMin lower bound of the randomised election timeout
 * @param electionTimeoutMax upper bound of the randomised election timeout
 * @param snapshotEvery take a snapshot (and purge the log) after this many new entries
 * @param eventRetention audit events the fleet keeps in memory
 * @param segmentBytes size at which a log segment is closed (only closed segments are purged)
 * @param minFreeBytes free bytes the data directory's file system must keep; below that the
 *     replica refuses writes (as leader: every write), saying why; 0 turns the check off
 * @param listen {@code host:port} this member binds, when not its own entry of {@code peers}
 *     (behind a port mapping or a proxy); null = its entry of {@code peers}
 */
public record RaftSettings(
    String id,
    Map<String, String> peers,
    Path dataDir,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotEvery,
    int eventRetention,
    long segmentBytes,
    long minFreeBytes,
    String listen) {

  /** Settings of a member that binds its own address in {@code peers}. */
  public RaftSettings(String id, Map<String, String> peers, Path dataDir, Duration electionTimeoutMin,
      Duration electionTimeoutMax, long snapshotEvery, int eventRetention, long segmentBytes,
      long minFreeBytes) {
    this(id, peers, dataDir, electionTimeoutMin, electionTimeoutMax, snapshotEvery, eventRetention,
        segmentBytes, minFreeBytes, null);
  }

  /** Validates the settings, naming what is wrong. */
  public RaftSettings {
    if (!peers.containsKey(id)) {
      throw new IllegalArgumentException("replica id '" + id + "' is not among peers " + peers.keySet());
    }
    if (electionTimeoutMin.compareTo(electionTimeoutMax) >= 0) {
      throw new IllegalArgumentException("electionTimeoutMin must be below electionTimeoutMax");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("snapshotEvery must be at least 1");
    }
    if (segmentBytes < 1024) {
      throw new IllegalArgumentException("segmentBytes must be at least 1024");
    }
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("minFreeBytes must not be negative");
    }
    peers = Map.copyOf(peers);
  }
}
