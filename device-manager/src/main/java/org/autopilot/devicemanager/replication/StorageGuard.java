package org.autopilot.devicemanager.replication;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.autopilot.devicemanager.core.DiskReserve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one replica's disk while it runs: keeps the {@link DurableMark} up to date (every
 * 100 ms), measures the free space of the data directory's file system against the
 * {@link DiskReserve} (on every write, at most every 50 ms, and every second), and holds the
 * replica's failure once its log could not be written. On failure it runs {@code onFailure}
 * (which stops the Raft member) once, on its own thread.
 */
final class StorageGuard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StorageGuard.class);
  private static final long PROBE_NANOS = 50_000_000L;

  private final String replica;
  private final Path dataDir;
  private final FileStore store;
  private final DiskReserve reserve;
  private final DurableMark mark;
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final ScheduledExecutorService timer;
  private volatile String refusal;
  private volatile long probedAt = Long.MIN_VALUE;
  private volatile Runnable onFailure = () -> { };

  StorageGuard(String replica, Path dataDir, DiskReserve reserve, DurableMark mark) throws IOException {
    this.replica = replica;
    this.dataDir = dataDir;
    this.store = Files.getFileStore(dataDir);
    this.reserve = reserve;
    this.mark = mark;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "dm-storage-" + replica);
      t.setDaemon(true);
      return t;
    });
    probe();
  }

  /** Starts the periodic work: marking {@code durable()} and measuring free space. */
  void start(LongSupplier durable, Runnable onFailure) {
    this.onFailure = onFailure;
    timer.scheduleWithFixedDelay(() -> mark(durable), 100, 100, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::probe, 1, 1, TimeUnit.SECONDS);
  }

  /** Why writes are refused now (measured at most 50 ms ago), empty while they are accepted. */
  Optional<String> writesRefused() {
    String f = failure.get();
    if (f != null) {
      return Optional.of("replica " + replica + " has failed: " + f);
    }
    if (System.nanoTime() - probedAt > PROBE_NANOS) {
      probe();
    }
    return Optional.ofNullable(refusal);
  }

  /** The disk-space refusal alone, as last measured. */
  Optional<String> diskRefusal() {
    return Optional.ofNullable(refusal);
  }

  /** Why this replica failed, empty while it is sound. */
  Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Records the failure (the first one counts) and stops the member, once. */
  void fail(String why) {
    if (failure.compareAndSet(null, why)) {
      LOG.error("replica {} FAILED and stops serving: {}", replica, why);
      Thread t = new Thread(() -> {
        try {
          onFailure.run();
        } catch (RuntimeException e) {
          LOG.warn("replica {}: stopping after the failure did not finish cleanly", replica, e);
        }
      }, "dm-fail-" + replica);
      t.setDaemon(true);
      t.start();
    }
  }

  /** The data directory watched. */
  Path dataDir() {
    return dataDir;
  }

  /** The highest durable index recorded in the mark file. */
  long marked() {
    return mark.written();
  }

  private void probe() {
    String before = refusal;
    try {
      refusal = reserve.refusal(dataDir.toString(), store.getUsableSpace()).orElse(null);
    } catch (IOException e) {
      refusal = "free space under " + dataDir + " cannot be measured: " + e.getMessage();
    }
    probedAt = System.nanoTime();
    if (refusal != null && before == null) {
      LOG.warn("replica {} refuses writes: {}", replica, refusal);
    } else if (refusal == null && before != null) {
      LOG.info("replica {} accepts writes again: free space under {} is above the reserve of {} bytes",
          replica, dataDir, reserve.minFreeBytes());
    }
  }

  private void mark(LongSupplier durable) {
    if (failure.get() != null) {
      return;
    }
    try {
      long index = durable.getAsLong();
      if (index >= 0) {
        mark.advance(index);
      }
    } catch (IOException e) {
      fail("cannot write " + dataDir.resolve(DurableMark.FILE) + ": " + e);
    } catch (RuntimeException e) {
      LOG.debug("replica {}: durable index not available yet: {}", replica, e.toString());
    }
  }

  /** Writes a last mark of {@code durable()} and stops the periodic work. */
  void close(LongSupplier durable) {
    timer.shutdown(); // not shutdownNow: an interrupt would close the mark's channel mid-write
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    mark(durable);
    mark.close();
  }

  @Override
  public void close() {
    close(() -> -1);
  }
}
