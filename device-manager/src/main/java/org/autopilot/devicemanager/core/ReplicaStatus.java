package org.autopilot.devicemanager.core;

import java.util.List;

/**
 * A replica's view of the cluster at one moment.
 *
 * @param id this replica
 * @param role {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}, {@code FAILED} or
 *     {@code UNKNOWN}
 * @param leader id of the leader it knows of, or null during an election
 * @param term current Raft term
 * @param appliedIndex last log index applied here
 * @param firstLogIndex oldest log index still on disk (older ones are in a snapshot), -1 if unknown
 * @param revision fleet revision applied here
 * @param peers every member of the cluster, by id
 * @param failure why this replica has failed and serves nothing (its log could not be written),
 *     or null while it is sound
 * @param writesRefused why this replica refuses writes right now (its disk is nearly full), or
 *     null while it accepts them
 */
public record ReplicaStatus(
    String id, String role, String leader, long term, long appliedIndex, long firstLogIndex, long revision,
    List<String> peers, String failure, String writesRefused) {

  /** Whether this replica is the leader (not a bean getter, so JSON keeps {@code leader}). */
  public boolean leading() {
    return "LEADER".equals(role);
  }
}
