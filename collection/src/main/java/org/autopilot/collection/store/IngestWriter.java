package org.autopilot.collection.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.autopilot.collection.wire.Batch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores accepted batches with group commit: request threads parse and queue, writer threads
 * take whatever is queued (up to {@code groupSamples} samples) and store it in one transaction,
 * then complete every batch's future, so a machine is answered only once its batch is
 * committed, and a failed transaction fails every batch in it (their machines send them again).
 * The queue is bounded in samples: a full queue refuses at once (the machine keeps its batch and
 * retries), so memory stays bounded when the database is slow.
 */
public final class IngestWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IngestWriter.class);

  /**
   * Writer settings.
   *
   * @param threads writer threads (1 for H2, where one writer is fastest; more can help PostgreSQL)
   * @param groupSamples samples gathered into one transaction at most (a larger batch is one
   *     transaction of its own)
   * @param queueSamples samples waiting at most; beyond, batches are refused with 503
   */
  public record Settings(int threads, int groupSamples, int queueSamples) {
    /** One writer, 20,000 samples per transaction, 1,000,000 queued. */
    public static final Settings DEFAULTS = new Settings(1, 20_000, 1_000_000);

    /** Checks the bounds. */
    public Settings {
      if (threads < 1 || threads > 16 || groupSamples < 1 || queueSamples < groupSamples) {
        throw new IllegalArgumentException("writer: threads 1..16, groupSamples >= 1, queueSamples >= groupSamples");
      }
    }
  }

  /** A queue without room for a batch. */
  public static final class Full extends Exception {
    Full(String message) {
      super(message, null, false, false);
    }
  }

  private record Pending(CollectionStore.Ready ready, int weight, CompletableFuture<Void> done) {}

  private final CollectionStore store;
  private final InstantSource clock;
  private final long lateAfter;
  private final Settings settings;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  /** Batches committed. */
  public final AtomicLong batches = new AtomicLong();
  /** Samples committed. */
  public final AtomicLong samples = new AtomicLong();
  /** Log lines committed. */
  public final AtomicLong lines = new AtomicLong();
  /** Transactions committed. */
  public final AtomicLong commits = new AtomicLong();
  /** Transactions that failed (their batches were answered 503). */
  public final AtomicLong failures = new AtomicLong();

  /**
   * A writer into {@code store}; a batch holding samples older than half of {@code lateness}
   * marks them late, so the rollup pass looks at their buckets again.
   */
  public IngestWriter(CollectionStore store, InstantSource clock, Duration lateness, Settings settings) {
    this.store = store;
    this.clock = clock;
    this.lateAfter = lateness.toMillis() / 2;
    this.settings = settings;
    for (int i = 0; i < settings.threads(); i++) {
      Thread t = new Thread(this::loop, "collection-writer-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Queues a batch with its series ids; the future completes once it is committed. */
  public CompletableFuture<Void> submit(Batch batch, int[] seriesIds) throws Full {
    int weight = Math.max(1, batch.sampleCount() + batch.logs().size());
    long after = queued.addAndGet(weight);
    if (after > settings.queueSamples() && after != weight) {
      queued.addAndGet(-weight);
      throw new Full("the write queue holds " + (after - weight) + " samples and lines, its limit is "
          + settings.queueSamples() + "; send again shortly");
    }
    if (!running) {
      queued.addAndGet(-weight);
      throw new Full("the service is stopping");
    }
    long late = batch.minT() < clock.millis() - lateAfter ? batch.minT() : Long.MIN_VALUE;
    Pending p = new Pending(new CollectionStore.Ready(batch, seriesIds, late), weight, new CompletableFuture<>());
    queue.add(p);
    return p.done();
  }

  /** Samples and lines waiting to be written. */
  public long queued() {
    return queued.get();
  }

  private void loop() {
    List<Pending> group = new ArrayList<>();
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        int weight = first.weight();
        while (weight < settings.groupSamples()) {
          Pending next = queue.peek();
          if (next == null || weight + next.weight() > settings.groupSamples()) {
            break;
          }
          group.add(queue.poll());
          weight += next.weight();
        }
        write(group);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      } finally {
        group.clear();
      }
    }
  }

  private void write(List<Pending> group) {
    List<CollectionStore.Ready> ready = new ArrayList<>(group.size());
    long weight = 0;
    for (Pending p : group) {
      ready.add(p.ready());
      weight += p.weight();
    }
    try {
      store.store(ready);
      commits.incrementAndGet();
      for (Pending p : group) {
        batches.incrementAndGet();
        samples.addAndGet(p.ready().batch().sampleCount());
        lines.addAndGet(p.ready().batch().logs().size());
        p.done().complete(null);
      }
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.warn("storing {} batches failed; they are refused and will be sent again: {}", group.size(),
          e.toString());
      group.forEach(p -> p.done().completeExceptionally(e));
    } finally {
      queued.addAndGet(-weight);
    }
  }

  /** Writes what is queued (bounded wait), then stops. */
  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.done().completeExceptionally(new IllegalStateException("the service stopped"));
    }
  }
}
