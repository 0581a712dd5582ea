package org.autopilot.devicemanager.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.command.Proposal;
import org.autopilot.devicemanager.model.Fleet;

/**
 * The replicated fleet on one replica: applies committed log entries in order through the
 * {@link FleetStateMachine} and publishes each new fleet to its {@link FleetWatch}. Whatever
 * the replication engine, it calls {@link #applyEntry} once per committed entry, in log order,
 * from one thread; every replica therefore computes the same fleet and the same answers.
 */
public final class FleetLedger implements AutoCloseable {
  private final FleetStateMachine rules = new FleetStateMachine();
  private final int eventRetention;
  private final FleetWatch watch;
  private volatile Fleet fleet;

  /** An empty ledger keeping {@code eventRetention} audit events. */
  public FleetLedger(int eventRetention) {
    this.eventRetention = eventRetention;
    this.fleet = Fleet.empty(eventRetention);
    this.watch = new FleetWatch(this::current);
  }

  /** The newest applied fleet on this replica (maybe behind the leader). */
  public Fleet current() {
    return fleet;
  }

  /** Blocking queries over this replica's fleet. */
  public FleetWatch watch() {
    return watch;
  }

  /**
   * Applies one committed log entry and returns the encoded answers, one per proposal. A
   * malformed entry changes nothing and answers with an error; it never stops the replica.
   */
  public byte[] applyEntry(byte[] entry) {
    return applyEntry(entry, true);
  }

  /** As {@link #applyEntry(byte[])}; without {@code answer} the answers are not encoded (empty). */
  public byte[] applyEntry(byte[] entry, boolean answer) {
    LogBatch batch;
    try {
      batch = LogBatch.decode(entry);
    } catch (IllegalArgumentException e) {
      return encode(List.of(new CommandResult(false, fleet.revision(),
          Decision.Rejection.INVALID, e.getMessage(), null)));
    }
    List<CommandResult> results = apply(batch.at(), batch.proposals());
    return answer ? encode(results) : new byte[0];
  }

  /** Applies proposals stamped at {@code at}, in order; the answers are in the same order. */
  public synchronized List<CommandResult> apply(Instant at, List<Proposal> proposals) {
    Fleet f = fleet.withClock(at);
    Instant now = f.clock();
    List<CommandResult> results = new ArrayList<>(proposals.size());
    for (Proposal p : proposals) {
      FleetStateMachine.Outcome o = rules.execute(f, p, now);
      f = o.fleet();
      results.add(o.result());
    }
    boolean changed = f.revision() != fleet.revision();
    fleet = f;
    if (changed) {
      watch.published();
    }
    return results;
  }

  /** Writes the current fleet; the caller makes sure no entry is applied meanwhile. */
  public void snapshot(OutputStream out) throws IOException {
    FleetSnapshot.write(fleet, out);
  }

  /** Replaces the fleet with a snapshot's. */
  public synchronized void restore(InputStream in) throws IOException {
    Fleet f = FleetSnapshot.read(in);
    if (f.eventRetention() != eventRetention) {
      f = f.withEventRetention(eventRetention);
    }
    fleet = f;
    watch.published();
  }

  /** Encodes answers as the JSON the API returns. */
  public static byte[] encode(List<CommandResult> results) {
    try {
      return Json.mapper().writeValueAsBytes(results);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
