package org.autopilot.devicemanager.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.autopilot.devicemanager.command.Proposal;

/**
 * One Device Manager replica as the rest of the DM sees it, whatever the consensus engine:
 * a local, possibly lagging fleet; replicated writes; and linearizable read barriers.
 */
public interface Replica extends AutoCloseable {

  /** This replica's id, as named in the cluster configuration. */
  String id();

  /** The fleet applied on this replica, with its watch. */
  FleetLedger ledger();

  /**
   * Replicates one batch of proposals as a single log entry (wherever the leader is) and
   * completes with one answer per proposal, in order, once the entry is committed and applied.
   */
  CompletableFuture<List<CommandResult>> submit(List<Proposal> batch);

  /**
   * Completes once this replica has applied everything the leader had committed when the
   * barrier was asked for (Raft ReadIndex); a read of {@link #ledger()} after that is
   * linearizable. Completes with the fleet revision at that point.
   */
  CompletableFuture<Long> readBarrier();

  /**
   * Why this replica has failed (its log or disk broke while running): it then answers nothing
   * but its status. Empty while it is sound. Cheap; called on every request.
   */
  default Optional<String> failure() {
    return Optional.empty();
  }

  /**
   * Why this replica refuses writes right now (its disk is nearly full), empty while it accepts
   * them. Reads go on. Cheap; called on every write.
   */
  default Optional<String> writesRefused() {
    return Optional.empty();
  }

  /** Who leads, this replica's role, and how far it has applied. */
  ReplicaStatus status();

  /** Stops the replica; its data stays on disk. */
  @Override
  void close();
}
