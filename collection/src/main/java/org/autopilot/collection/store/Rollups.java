package org.autopilot.collection.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.autopilot.collection.model.Step;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollup and retention pass, run on a schedule by every replica (replicas sharing a
 * database take turns: each tier's progress row is locked {@code FOR UPDATE} while it is
 * advanced, so a bucket is computed by one of them at a time, and recomputing one is
 * idempotent: delete the bucket's rows, insert them again).
 *
 * <p>Minute buckets are computed from raw samples once they are {@code lateness} old, hour
 * buckets from complete minute buckets. A sample stored behind a tier's progress (an agent
 * catching up after an outage) leaves a mark ({@code late_marks}), and the next pass
 * recomputes the buckets from the earliest mark on, then the hours above them. Retention
 * deletes per tier by time, in slices, and never deletes raw samples (or minutes) that are not
 * rolled up yet. All times come from the injected clock.
 */
public final class Rollups {
  private static final Logger LOG = LoggerFactory.getLogger(Rollups.class);
  /** Most slices one retention pass deletes per table (bounds a pass after a long pause). */
  private static final int MAX_SLICES = 10_000;

  /**
   * How rollups and retention behave.
   *
   * @param lateness how old a minute must be before it is rolled up (samples may arrive late)
   * @param raw how long raw samples are kept
   * @param minute how long minute buckets are kept
   * @param hour how long hour buckets are kept
   * @param logs how long log lines are kept
   */
  public record Settings(Duration lateness, Duration raw, Duration minute, Duration hour, Duration logs) {
    /** 2 min lateness; raw 2 h, minute 7 d, hour 90 d, logs 7 d. */
    public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(2), Duration.ofHours(2),
        Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(7));

    /** Checks the durations. */
    public Settings {
      for (Duration d : List.of(lateness, raw, minute, hour, logs)) {
        if (d == null || d.isNegative()) {
          throw new IllegalArgumentException("retention and lateness must be durations >= 0");
        }
      }
    }
  }

  /**
   * What one pass did.
   *
   * @param minuteFrom first minute bucket (re)computed, or -1
   * @param minuteTo the minute tier's progress after the pass
   * @param hourFrom first hour bucket (re)computed, or -1
   * @param hourTo the hour tier's progress after the pass
   * @param deleted rows deleted by retention, all tables
   */
  public record Pass(long minuteFrom, long minuteTo, long hourFrom, long hourTo, long deleted) {}

  private final CollectionStore store;
  private final InstantSource clock;
  private final Settings settings;

  /** Rollups over {@code store}'s database, timed by {@code clock}. */
  public Rollups(CollectionStore store, InstantSource clock, Settings settings) {
    this.store = store;
    this.clock = clock;
    this.settings = settings;
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** One pass: minute rollups, hour rollups, then retention. */
  public Pass run() {
    long now = clock.millis();
    long[] minute = store.jdbi().inTransaction(h -> minutes(h, now));
    long[] hour = store.jdbi().inTransaction(h -> hours(h, now));
    long deleted = retention(now);
    Pass p = new Pass(minute[0], minute[1], hour[0], hour[1], deleted);
    LOG.debug("rollup pass {}", p);
    return p;
  }

  /** Minute buckets from raw samples; returns {first bucket computed or -1, progress}. */
  private long[] minutes(Handle h, long now) {
    long done = progress(h, "minute");
    long target = floor(now - settings.lateness().toMillis(), Step.MINUTE);
    List<long[]> marks = marks(h, "minute");
    long from = done;
    if (done == 0) {
      Long first = h.createQuery("SELECT MIN(t) FROM samples WHERE t < :to").bind("to", target)
          .mapTo(Long.class).one();
      from = first == null ? target : floor(first, Step.MINUTE);
    }
    for (long[] m : marks) {
      from = Math.min(from, floor(m[1], Step.MINUTE));
    }
    long computed = -1;
    if (from < target) {
      recompute(h, "rollup_minute", "SELECT series_id, t - MOD(t, 60000) AS b, v AS s, v AS lo, "
          + "v AS hi, 1 AS c FROM samples", from, target);
      computed = from;
      if (from < done) {
        h.execute("INSERT INTO late_marks (tier, t) VALUES ('hour', ?)", from);
      }
    }
    forget(h, marks);
    if (target > done) {
      h.execute("UPDATE rollup_state SET done_until = ? WHERE tier = 'minute'", target);
      done = target;
    }
    return new long[] {computed, done};
  }

  /** Hour buckets from complete minute buckets; returns {first bucket computed or -1, progress}. */
  private long[] hours(Handle h, long now) {
    long done = progress(h, "hour");
    long minutesDone = h.createQuery("SELECT done_until FROM rollup_state WHERE tier = 'minute'")
        .mapTo(Long.class).one();
    long target = floor(Math.min(minutesDone, now - settings.lateness().toMillis()), Step.HOUR);
    List<long[]> marks = marks(h, "hour");
    long from = done;
    if (done == 0) {
      Long first = h.createQuery("SELECT MIN(t) FROM rollup_minute WHERE t < :to").bind("to", target)
          .mapTo(Long.class).one();
      from = first == null ? target : floor(first, Step.HOUR);
    }
    for (long[] m : marks) {
      from = Math.min(from, floor(m[1], Step.HOUR));
    }
    long computed = -1;
    if (from < target) {
      recompute(h, "rollup_hour", "SELECT series_id, t - MOD(t, 3600000) AS b, v_sum AS s, "
          + "v_min AS lo, v_max AS hi, n AS c FROM rollup_minute", from, target);
      computed = from;
    }
    // marks above the target stay for the pass that gets there
    long reached = Math.max(target, done);
    forget(h, marks.stream().filter(m -> m[1] < reached).toList());
    if (target > done) {
      h.execute("UPDATE rollup_state SET done_until = ? WHERE tier = 'hour'", target);
      done = target;
    }
    return new long[] {computed, done};
  }

  /** Replaces the buckets of {@code table} in [from, to) by aggregating {@code source}. */
  private static void recompute(Handle h, String table, String source, long from, long to) {
    h.createUpdate("DELETE FROM " + table + " WHERE t >= :from AND t < :to")
        .bind("from", from).bind("to", to).execute();
    h.createUpdate("INSERT INTO " + table + " (series_id, t, v_sum, v_min, v_max, n) "
            + "SELECT series_id, b, SUM(s), MIN(lo), MAX(hi), SUM(c) FROM (" + source
            + " WHERE t >= :from AND t < :to) x GROUP BY series_id, b")
        .bind("from", from).bind("to", to).execute();
  }

  /** A tier's progress, its row locked until the transaction ends. */
  private static long progress(Handle h, String tier) {
    return h.createQuery("SELECT done_until FROM rollup_state WHERE tier = :tier FOR UPDATE")
        .bind("tier", tier).mapTo(Long.class).one();
  }

  /** The late marks of a tier, {id, t} each. */
  private static List<long[]> marks(Handle h, String tier) {
    return h.createQuery("SELECT id, t FROM late_marks WHERE tier = :tier").bind("tier", tier)
        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).list();
  }

  /** Deletes the marks read (not any written since). */
  private static void forget(Handle h, List<long[]> marks) {
    for (long[] m : marks) {
      h.execute("DELETE FROM late_marks WHERE id = ?", m[0]);
    }
  }

  /** Deletes expired rows of every table; returns how many. */
  private long retention(long now) {
    long minutesDone = store.rollupProgress().getOrDefault("minute", 0L);
    long hoursDone = store.rollupProgress().getOrDefault("hour", 0L);
    long deleted = 0;
    deleted += expire("samples", Math.min(now - settings.raw().toMillis(), minutesDone), 10 * 60_000L);
    deleted += expire("rollup_minute", Math.min(now - settings.minute().toMillis(), hoursDone), 6 * 3_600_000L);
    deleted += expire("rollup_hour", now - settings.hour().toMillis(), 7 * 86_400_000L);
    deleted += expire("logs", now - settings.logs().toMillis(), 3_600_000L);
    return deleted;
  }

  /** Deletes rows of {@code table} older than {@code cut}, oldest slice first, each slice its own transaction. */
  private long expire(String table, long cut, long slice) {
    Long oldest = store.jdbi().withHandle(h -> h.createQuery("SELECT MIN(t) FROM " + table)
        .mapTo(Long.class).one());
    long deleted = 0;
    if (oldest == null) {
      return 0;
    }
    long from = oldest;
    for (int i = 0; i < MAX_SLICES && from < cut; i++) {
      long to = Math.min(cut, from + slice);
      long upTo = to;
      deleted += store.jdbi().withHandle(h -> h.createUpdate("DELETE FROM " + table + " WHERE t < :to")
          .bind("to", upTo).execute());
      from = to;
    }
    return deleted;
  }

  /** The start of the bucket of {@code step} holding {@code t}. */
  static long floor(long t, Step step) {
    return Math.floorDiv(t, step.millis()) * step.millis();
  }
}
