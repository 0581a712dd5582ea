package org.autopilot.collection.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.autopilot.collection.model.Counter;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.model.Point;
import org.autopilot.collection.model.Series;
import org.autopilot.collection.model.Step;
import org.jdbi.v3.core.Handle;

/**
 * The reads behind the query API: counters, series at a resolution, log search. A series read
 * at minute or hour resolution takes what the rollup tiers hold and aggregates the part they do
 * not hold yet (the last minutes) from the finer tier on the fly, so a chart reaches the present.
 */
public final class CollectionQueries {
  /** About how many points a chart gets with {@code step=auto}. */
  public static final int TARGET_POINTS = 1000;
  /** Most log lines one search returns. */
  public static final int MAX_LOG_LINES = 1000;

  private final CollectionStore store;

  /** Queries over {@code store}. */
  public CollectionQueries(CollectionStore store) {
    this.store = store;
  }

  /** Every series of a machine, by app then counter; {@code machine == null}: distinct counter names fleet-wide. */
  public List<Counter> counters(String machine) {
    return store.jdbi().withHandle(h -> machine == null
        ? h.createQuery("SELECT DISTINCT counter FROM series ORDER BY counter")
            .map((rs, ctx) -> new Counter("", "", rs.getString(1))).list()
        : h.createQuery("SELECT machine, app, counter FROM series WHERE machine = :m ORDER BY app, counter")
            .bind("m", machine)
            .map((rs, ctx) -> new Counter(rs.getString(1), rs.getString(2), rs.getString(3))).list());
  }

  /**
   * A series request.
   *
   * @param machines machines to read, at least one
   * @param counter the counter
   * @param app only this app's series; null: every app's (machine-level ones have app "")
   * @param from start, epoch ms, inclusive
   * @param to end, epoch ms, exclusive
   * @param step the resolution; null: auto (about {@link #TARGET_POINTS} points)
   */
  public record SeriesRequest(List<String> machines, String counter, String app, long from, long to, Step step) {}

  /** Reads the series a request names (one per machine and app holding the counter). */
  public List<Series> series(SeriesRequest r) {
    return store.jdbi().withHandle(h -> {
      List<Series> out = new ArrayList<>();
      List<Object[]> ids = h.createQuery("SELECT id, machine, app FROM series WHERE counter = :c "
              + "AND machine IN (<machines>)" + (r.app() == null ? "" : " AND app = :a")
              + " ORDER BY machine, app")
          .bind("c", r.counter()).bindList("machines", r.machines()).bind("a", r.app())
          .map((rs, ctx) -> new Object[] {rs.getInt(1), rs.getString(2), rs.getString(3)}).list();
      Map<String, Long> progress = store.rollupProgress();
      for (Object[] s : ids) {
        int id = (Integer) s[0];
        Step step = r.step() != null ? r.step() : auto(h, id, r.from(), r.to());
        long bucket = bucket(step, r.from(), r.to(), r.step() == null);
        List<Point> points = step == Step.RAW ? raw(h, id, r.from(), r.to())
            : aggregated(h, id, r.from(), r.to(), step, bucket, progress);
        out.add(new Series((String) s[1], (String) s[2], r.counter(), step.apiName(),
            step == Step.RAW ? 0 : bucket, points));
      }
      return out;
    });
  }

  /** Raw when the range holds at most the target number of samples, else the coarsest tier needed. */
  private static Step auto(Handle h, int id, long from, long to) {
    int n = h.createQuery("SELECT COUNT(*) FROM (SELECT t FROM samples WHERE t >= :from AND t < :to "
            + "AND series_id = :id FETCH FIRST " + (TARGET_POINTS + 1) + " ROWS ONLY) x")
        .bind("from", from).bind("to", to).bind("id", id).mapTo(Integer.class).one();
    if (n <= TARGET_POINTS) {
      return Step.RAW;
    }
    return (to - from) / Step.MINUTE.millis() <= TARGET_POINTS ? Step.MINUTE : Step.HOUR;
  }

  /** The bucket width: the tier's, or for auto a multiple of it that keeps the count near the target. */
  static long bucket(Step step, long from, long to, boolean thin) {
    if (step == Step.RAW) {
      return 0;
    }
    long w = step.millis();
    if (!thin) {
      return w;
    }
    long wanted = (to - from + TARGET_POINTS - 1) / TARGET_POINTS;
    return Math.max(w, (wanted + w - 1) / w * w);
  }

  private static List<Point> raw(Handle h, int id, long from, long to) {
    return h.createQuery("SELECT t, v FROM samples WHERE t >= :from AND t < :to AND series_id = :id ORDER BY t")
        .bind("from", from).bind("to", to).bind("id", id)
        .map((rs, ctx) -> {
          double v = rs.getDouble(2);
          return new Point(rs.getLong(1), v, v, v);
        }).list();
  }

  /**
   * Buckets of {@code bucket} ms: the rollup tier of {@code step} where it is complete, the finer
   * tiers above its progress, merged per bucket.
   */
  private static List<Point> aggregated(Handle h, int id, long from, long to, Step step, long bucket,
      Map<String, Long> progress) {
    long minutesDone = Math.max(from, Math.min(to, progress.getOrDefault("minute", 0L)));
    long hoursDone = Math.max(from, Math.min(minutesDone, progress.getOrDefault("hour", 0L)));
    TreeMap<Long, double[]> acc = new TreeMap<>();
    long rawFrom = minutesDone;
    if (step == Step.HOUR) {
      add(acc, h, "rollup_hour", true, id, from, hoursDone, bucket);
      add(acc, h, "rollup_minute", true, id, hoursDone, minutesDone, bucket);
    } else {
      add(acc, h, "rollup_minute", true, id, from, minutesDone, bucket);
    }
    add(acc, h, "samples", false, id, rawFrom, to, bucket);
    List<Point> out = new ArrayList<>(acc.size());
    acc.forEach((t, a) -> out.add(new Point(t, a[0] / a[3], a[1], a[2])));
    return out;
  }

  /** Adds {@code table}'s rows in [from, to) to the per-bucket {sum, min, max, count}. */
  private static void add(TreeMap<Long, double[]> acc, Handle h, String table, boolean rollup, int id,
      long from, long to, long bucket) {
    if (from >= to) {
      return;
    }
    String cols = rollup ? "v_sum AS s, v_min AS lo, v_max AS hi, n AS c" : "v AS s, v AS lo, v AS hi, 1 AS c";
    h.createQuery("SELECT b, SUM(s), MIN(lo), MAX(hi), SUM(c) FROM (SELECT t - MOD(t, " + bucket + ") AS b, "
            + cols + " FROM " + table + " WHERE t >= :from AND t < :to AND series_id = :id) x "
            + "GROUP BY b ORDER BY b")
        .bind("from", from).bind("to", to).bind("id", id)
        .map((rs, ctx) -> {
          double[] a = acc.computeIfAbsent(rs.getLong(1),
              k -> new double[] {0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0});
          a[0] += rs.getDouble(2);
          a[1] = Math.min(a[1], rs.getDouble(3));
          a[2] = Math.max(a[2], rs.getDouble(4));
          a[3] += rs.getDouble(5);
          return null;
        }).list();
  }

  /**
   * A log search.
   *
   * @param machine only this machine's lines, or null
   * @param app only this app's lines ({@code ""}: the agent's own), or null
   * @param level only lines at this level or above ({@code WARN}: WARN and ERROR), or null
   * @param q only lines containing this text, ignoring case, or null
   * @param from start, epoch ms, inclusive
   * @param to end, epoch ms, exclusive
   * @param limit most lines, 1..{@link #MAX_LOG_LINES}
   */
  public record LogRequest(String machine, String app, String level, String q, long from, long to, int limit) {}

  /** The newest lines matching, newest first. */
  public List<LogLine> logs(LogRequest r) {
    StringBuilder sql = new StringBuilder("SELECT t, machine, app, level, line FROM logs WHERE t >= :from AND t < :to");
    if (r.machine() != null) {
      sql.append(" AND machine = :machine");
    }
    if (r.app() != null) {
      sql.append(" AND app = :app");
    }
    List<String> levels = r.level() == null ? null : atLeast(r.level());
    if (levels != null) {
      sql.append(" AND level IN (<levels>)");
    }
    if (r.q() != null) {
      sql.append(" AND LOWER(line) LIKE :q ESCAPE '!'");
    }
    sql.append(" ORDER BY t DESC, id DESC FETCH FIRST ").append(Math.max(1, Math.min(MAX_LOG_LINES, r.limit())))
        .append(" ROWS ONLY");
    return store.jdbi().withHandle(h -> {
      var query = h.createQuery(sql.toString()).bind("from", r.from()).bind("to", r.to());
      if (r.machine() != null) {
        query.bind("machine", r.machine());
      }
      if (r.app() != null) {
        query.bind("app", r.app());
      }
      if (levels != null) {
        query.bindList("levels", levels);
      }
      if (r.q() != null) {
        query.bind("q", "%" + r.q().toLowerCase(java.util.Locale.ROOT)
            .replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
      }
      return query.map((rs, ctx) -> new LogLine(rs.getLong(1), rs.getString(2), rs.getString(3),
          rs.getString(4), rs.getString(5))).list();
    });
  }

  /** The levels at or above {@code level}. */
  static List<String> atLeast(String level) {
    List<String> order = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
    int i = order.indexOf(level);
    if (i < 0) {
      throw new IllegalArgumentException("level '" + level + "' is not one of " + order);
    }
    return order.subList(i, order.size());
  }
}
