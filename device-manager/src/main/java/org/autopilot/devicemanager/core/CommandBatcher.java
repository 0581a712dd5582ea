package org.autopilot.devicemanager.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.autopilot.devicemanager.command.Proposal;

/**
 * Group commit: many concurrent callers, few log entries. Proposals queue up while up to
 * {@code maxInFlight} batches are being replicated; each finished batch immediately sends the
 * next one with everything that queued meanwhile (at most {@code maxBatch}). Under light load a
 * command travels alone with no added delay; under heavy load one fsync covers hundreds.
 */
public final class CommandBatcher {
  private final Function<List<Proposal>, CompletableFuture<List<CommandResult>>> sink;
  private final int maxBatch;
  private final int maxInFlight;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private int inFlight;

  /**
   * A batcher sending to {@code sink}, which must answer one result per proposal, in order.
   */
  public CommandBatcher(
      Function<List<Proposal>, CompletableFuture<List<CommandResult>>> sink,
      int maxBatch,
      int maxInFlight) {
    if (maxBatch < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("maxBatch and maxInFlight must be at least 1");
    }
    this.sink = sink;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /** Queues one proposal; completes with its result once its batch is applied. */
  public CompletableFuture<CommandResult> submit(Proposal proposal) {
    Pending p = new Pending(proposal, new CompletableFuture<>());
    queue.add(p);
    pump();
    return p.result;
  }

  private void pump() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (inFlight >= maxInFlight || queue.isEmpty()) {
          return;
        }
        batch = new ArrayList<>(Math.min(maxBatch, 64));
        for (Pending p; batch.size() < maxBatch && (p = queue.poll()) != null; ) {
          batch.add(p);
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Pending> batch) {
    List<Proposal> proposals = new ArrayList<>(batch.size());
    batch.forEach(p -> proposals.add(p.proposal));
    CompletableFuture<List<CommandResult>> sent;
    try {
      sent = sink.apply(proposals);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((results, error) -> {
      synchronized (this) {
        inFlight--;
      }
      for (int i = 0; i < batch.size(); i++) {
        CompletableFuture<CommandResult> r = batch.get(i).result;
        if (error != null) {
          r.completeExceptionally(error);
        } else if (results.size() != batch.size()) {
          r.completeExceptionally(new IllegalStateException(
              "batch of " + batch.size() + " answered with " + results.size() + " results"));
        } else {
          r.complete(results.get(i));
        }
      }
      pump();
    });
  }

  private record Pending(Proposal proposal, CompletableFuture<CommandResult> result) {}
}
