package org.autopilot.devicemanager.core;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.autopilot.devicemanager.model.Fleet;

/**
 * Blocking queries without blocked threads: a caller waits for a fleet newer than the revision
 * it has seen, or until its wait runs out, whichever comes first; each waiter is one future.
 * Two daemon threads serve any number of waiters: one completes them on change, one times them
 * out. The apply path only hands over the newest fleet and never completes futures itself.
 */
public final class FleetWatch implements AutoCloseable {
  private final Supplier<Fleet> current;
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicBoolean notifyPending = new AtomicBoolean();
  private final ScheduledThreadPoolExecutor notifier = daemon("dm-watch-notify");
  private final ScheduledThreadPoolExecutor timer = daemon("dm-watch-timeout");

  /** A watch over the fleet that {@code current} returns. */
  public FleetWatch(Supplier<Fleet> current) {
    this.current = current;
    timer.scheduleWithFixedDelay(() -> waiters.removeIf(w -> w.future.isDone()), 1, 1,
        TimeUnit.SECONDS);
  }

  /**
   * Completes with the fleet as soon as its revision exceeds {@code afterRevision}, or with the
   * current fleet (maybe not newer) once {@code maxWait} has passed.
   */
  public CompletableFuture<Fleet> await(long afterRevision, Duration maxWait) {
    Fleet now = current.get();
    if (now.revision() > afterRevision || maxWait.isZero() || maxWait.isNegative()) {
      return CompletableFuture.completedFuture(now);
    }
    Waiter w = new Waiter(afterRevision, new CompletableFuture<>());
    open.incrementAndGet();
    w.future.whenComplete((f, e) -> open.decrementAndGet());
    waiters.add(w);
    ScheduledFuture<?> timeout = timer.schedule(() -> complete(w, current.get()),
        maxWait.toMillis(), TimeUnit.MILLISECONDS);
    // An answered watch must not leave its timeout queued for minutes.
    w.future.whenComplete((f, e) -> timeout.cancel(false));
    // A change published between the first read and add() must not be missed.
    Fleet after = current.get();
    if (after.revision() > afterRevision) {
      w.future.complete(after);
    }
    return w.future;
  }

  /** Tells waiters that a newer fleet exists; cheap, called on the apply path. */
  public void published() {
    if (notifyPending.compareAndSet(false, true)) {
      notifier.execute(this::wake);
    }
  }

  /** Number of callers waiting right now. */
  public int openWatches() {
    return open.get();
  }

  /** Timers queued for waits (answered watches leave none behind); for metrics and tests. */
  public int pendingTimeouts() {
    return timer.getQueue().size();
  }

  private void wake() {
    notifyPending.set(false);
    Fleet f = current.get();
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.future.isDone()) {
        it.remove();
      } else if (f.revision() > w.afterRevision) {
        w.future.complete(f);
        it.remove();
      }
    }
  }

  @Override
  public void close() {
    notifier.shutdownNow();
    timer.shutdownNow();
    Fleet f = current.get();
    waiters.forEach(w -> complete(w, f));
    waiters.clear();
  }

  /** Answers a waiter; if whoever answers the caller has already shut down, nobody is left. */
  private static void complete(Waiter w, Fleet f) {
    try {
      w.future.complete(f);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // the API stopped first
    }
  }

  private static ScheduledThreadPoolExecutor daemon(String name) {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  private record Waiter(long afterRevision, CompletableFuture<Fleet> future) {}
}
