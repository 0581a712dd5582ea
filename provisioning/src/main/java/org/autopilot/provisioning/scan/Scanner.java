package org.autopilot.provisioning.scan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Walks a list of endpoints with bounded concurrency and a rate limit on new connections: each
 * endpoint gets one TCP connect attempt (bounded by the connect timeout); only where something
 * accepts is the caller's {@code identify} run (an SSH session). Reusable; one scan at a time.
 */
public final class Scanner implements AutoCloseable {
  private final int concurrency;
  private final long spacingNanos;
  private final Duration connectTimeout;
  private final ExecutorService pool;
  private long nextSlot = System.nanoTime();

  /**
   * A scanner running at most {@code concurrency} probes at once and starting at most
   * {@code ratePerSecond} connection attempts per second.
   */
  public Scanner(int concurrency, double ratePerSecond, Duration connectTimeout) {
    if (concurrency < 1 || !(ratePerSecond > 0)) {
      throw new IllegalArgumentException("concurrency and rate must be positive");
    }
    this.concurrency = concurrency;
    this.spacingNanos = (long) (1e9 / ratePerSecond);
    this.connectTimeout = connectTimeout;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "provisioning-scan-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** What one scan saw: answers of {@code identify} and how many endpoints were tried and open. */
  public record Sweep<T>(List<T> found, int tried, int open) {}

  /**
   * Tries every endpoint; returns {@code identify}'s answers (empty ones dropped) in endpoint
   * order. Stops early, with what it has, once {@code stop} says so.
   */
  public <T> Sweep<T> scan(List<Endpoint> endpoints, Function<Endpoint, Optional<T>> identify,
      BooleanSupplier stop) throws InterruptedException {
    List<Future<Optional<T>>> futures = new ArrayList<>(endpoints.size());
    AtomicInteger open = new AtomicInteger();
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(concurrency);
    int tried = 0;
    for (Endpoint e : endpoints) {
      if (stop.getAsBoolean()) {
        break;
      }
      pace();
      slots.acquire();
      tried++;
      try {
        futures.add(pool.submit(() -> {
          try {
            if (!reachable(e)) {
              return Optional.<T>empty();
            }
            open.incrementAndGet();
            return identify.apply(e);
          } finally {
            slots.release();
          }
        }));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        slots.release();
        break;
      }
    }
    List<T> found = new ArrayList<>();
    for (Future<Optional<T>> f : futures) {
      try {
        f.get().ifPresent(found::add);
      } catch (ExecutionException e) {
        // identify must not throw; a bug there loses one endpoint, not the scan
      }
    }
    return new Sweep<>(found, tried, open.get());
  }

  /** Whether something accepts a TCP connection at {@code e} within the connect timeout. */
  private boolean reachable(Endpoint e) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.host(), e.port()), (int) Math.max(1, connectTimeout.toMillis()));
      return true;
    } catch (IOException | IllegalArgumentException ex) {
      return false;
    }
  }

  /** Waits for the next connection slot (I/O pacing, not a decision). */
  private void pace() throws InterruptedException {
    long now = System.nanoTime();
    long wait = nextSlot - now;
    nextSlot = Math.max(now, nextSlot) + spacingNanos;
    if (wait > 0) {
      java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
