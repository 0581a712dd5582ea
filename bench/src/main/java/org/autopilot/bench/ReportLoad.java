package org.autopilot.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Simulated machines reporting their watchdogs over a few keep-alive connections (one thread
 * each, never one per machine). Machine {@code i} belongs to connection {@code i % connections}
 * and is due at {@code start + i * interval / machines + k * interval}: an open loop, so a slow
 * server makes requests late and the lateness counts in the latency (no coordinated omission).
 * Each report carries three watchdogs whose counts grow; with probability {@code changeRate}
 * the {@code app} watchdog flips between OK and Warning. Machines belong to one thread each, so
 * their state needs no locks.
 */
final class ReportLoad {
  /**
   * What one run measured.
   *
   * @param ok answers 200 whose due (or send) time fell in the window
   * @param other other answers in the window
   * @param errors transport failures in the window
   * @param changes reports in the window that flipped a status
   * @param latency nanoseconds from due (open loop) or send (closed loop) to answer, in the window
   * @param lastError the last failure seen, or null
   * @param perSecond per second of the run (by due time): answers, and the longest latency in ms
   */
  record Result(long ok, long other, long errors, long changes, Histogram latency, String lastError,
      long[][] perSecond) {}

  /** What is sent: where, with which credentials, in which form. */
  interface Target {
    String path();

    String authorization(int machine);

    byte[] body(int machine, int count, boolean warning, int appCount);
  }

  private final int machines;
  private final String host;
  private final int port;
  private final double changeRate;
  private final long seed;
  private final int[] count;
  private final boolean[] warning;
  private final int[] appCount;

  ReportLoad(int machines, String host, int port, double changeRate, long seed) {
    this.machines = machines;
    this.host = host;
    this.port = port;
    this.changeRate = changeRate;
    this.seed = seed;
    this.count = new int[machines];
    this.warning = new boolean[machines];
    this.appCount = new int[machines];
  }

  /**
   * Runs until {@code endNanos}: open loop at one report per machine per {@code intervalNanos}
   * (or, with {@code intervalNanos == 0}, closed loop: each connection sends as fast as it gets
   * answers); counts what falls in {@code [fromNanos, endNanos)}.
   */
  Result run(Target target, int connections, long intervalNanos, long fromNanos, long endNanos)
      throws InterruptedException {
    long start = System.nanoTime();
    List<Worker> workers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Worker w = new Worker(c, connections, target, intervalNanos, start, fromNanos, endNanos);
      workers.add(w);
      w.thread.start();
    }
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
    long ok = 0;
    long other = 0;
    long errors = 0;
    long changes = 0;
    String lastError = null;
    int secs = (int) ((endNanos - start) / 1_000_000_000L) + 1;
    long[][] perSecond = new long[secs][2];
    for (Worker w : workers) {
      w.thread.join();
      all.add(w.latency);
      ok += w.ok;
      other += w.other;
      errors += w.errors;
      changes += w.changes;
      lastError = w.lastError != null ? w.lastError : lastError;
      for (int i = 0; i < Math.min(secs, w.perSecond.length); i++) {
        perSecond[i][0] += w.perSecond[i][0];
        perSecond[i][1] = Math.max(perSecond[i][1], w.perSecond[i][1]);
      }
    }
    return new Result(ok, other, errors, changes, all, lastError, perSecond);
  }

  /** One connection and its machines. */
  private final class Worker {
    final Thread thread;
    final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(120), 3);
    long ok;
    long other;
    long errors;
    long changes;
    String lastError;
    final long[][] perSecond;

    Worker(int c, int connections, Target target, long interval, long start, long from, long end) {
      perSecond = new long[(int) ((end - start) / 1_000_000_000L) + 1][2];
      Random random = new Random(seed * 7919 + c);
      thread = new Thread(() -> {
        try (KeepAliveConnection conn = new KeepAliveConnection(host, port)) {
          long cycle = 0;
          while (true) {
            for (int i = c; i < machines; i += connections) {
              long due = interval == 0 ? System.nanoTime()
                  : start + cycle * interval + (long) i * interval / machines;
              if (due >= end) {
                return; // a late connection still sends everything due before the end
              }
              long wait = due - System.nanoTime();
              if (wait > 0) {
                LockSupport.parkNanos(wait);
              }
              boolean changed = random.nextDouble() < changeRate;
              if (changed) {
                warning[i] = !warning[i];
                appCount[i] = 0;
              }
              count[i]++;
              appCount[i]++;
              byte[] body = target.body(i, count[i], warning[i], appCount[i]);
              long sent = System.nanoTime();
              int status;
              try {
                status = conn.post(target.path(), target.authorization(i), body);
              } catch (IOException e) {
                status = -1;
                lastError = e.toString();
              }
              long done = System.nanoTime();
              long t = interval == 0 ? sent : due;
              int sec = (int) ((t - start) / 1_000_000_000L);
              if (sec >= 0 && sec < perSecond.length) {
                perSecond[sec][0]++;
                perSecond[sec][1] = Math.max(perSecond[sec][1], (done - t) / 1_000_000);
              }
              if (t >= from && t < end) {
                latency.recordValue(Math.min(done - t, latency.getHighestTrackableValue()));
                if (status == 200) {
                  ok++;
                } else if (status < 0) {
                  errors++;
                } else {
                  other++;
                  lastError = "HTTP " + status + " " + new String(conn.lastBody, StandardCharsets.UTF_8);
                }
                changes += changed ? 1 : 0;
              }
            }
            cycle++;
          }
        }
      }, "bench-reporter-" + c);
      thread.setDaemon(true);
    }
  }
}
