package org.autopilot.collection.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.autopilot.collection.ManualClock;
import org.autopilot.collection.model.Counter;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.model.Point;
import org.autopilot.collection.model.Series;
import org.autopilot.collection.model.Step;
import org.autopilot.collection.wire.Batch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The repository's behaviour, written once and run against every database the collection
 * supports (H2 embedded always, PostgreSQL when one is reachable): store, read raw and rolled
 * up, late samples, retention, log search.
 */
abstract class StoreContract {
  /** 2024-05-01T00:00:00Z: a whole hour, minute and day. */
  static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
  static final long MIN = 60_000;
  static final long HOUR = 3_600_000;

  final ManualClock clock = new ManualClock(T0);
  CollectionStore store;
  CollectionQueries queries;
  Rollups rollups;

  /** A fresh, empty database. */
  abstract DatabaseConfig database() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = new CollectionStore(database());
    queries = new CollectionQueries(store);
    rollups = new Rollups(store, clock, new Rollups.Settings(Duration.ofMinutes(2), Duration.ofHours(2),
        Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(7)));
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  /** Stores samples of one series, as the writer would (late if behind half the lateness). */
  void put(String machine, String app, String counter, long[] times, double[] values) {
    int id = store.seriesId(machine, app, counter);
    long min = java.util.Arrays.stream(times).min().orElse(Long.MAX_VALUE);
    long late = min < clock.millis() - MIN ? min : Long.MIN_VALUE;
    store.store(List.of(new CollectionStore.Ready(new Batch(machine,
        List.of(new Batch.SeriesSamples(app, counter, times, values)), List.of(), times.length, min),
        new int[] {id}, late)));
  }

  void logs(LogLine... lines) {
    store.store(List.of(new CollectionStore.Ready(new Batch(lines[0].machine(), List.of(), List.of(lines), 0,
        lines[0].t()), new int[0], Long.MIN_VALUE)));
  }

  Series one(String machine, String counter, long from, long to, Step step) {
    List<Series> s = queries.series(new CollectionQueries.SeriesRequest(List.of(machine), counter, null,
        from, to, step));
    assertThat(s).hasSize(1);
    return s.get(0);
  }

  @Test
  void storesSamplesAndListsCounters() {
    long t = T0.toEpochMilli();
    put("m1", "", "os.cpu.busy_pct", new long[] {t, t + 10_000}, new double[] {12.5, 14});
    put("m1", "web", "app.restarts", new long[] {t}, new double[] {0});
    put("m2", "", "os.cpu.busy_pct", new long[] {t}, new double[] {99});

    assertThat(queries.counters("m1")).containsExactly(
        new Counter("m1", "", "os.cpu.busy_pct"),
        new Counter("m1", "web", "app.restarts"));
    assertThat(queries.counters(null)).containsExactly(
        new Counter("", "", "app.restarts"),
        new Counter("", "", "os.cpu.busy_pct"));
    Series s = one("m1", "os.cpu.busy_pct", t, t + MIN, Step.RAW);
    assertThat(s.step()).isEqualTo("raw");
    assertThat(s.points()).containsExactly(new Point(t, 12.5, 12.5, 12.5), new Point(t + 10_000, 14, 14, 14));
    List<Series> both = queries.series(new CollectionQueries.SeriesRequest(List.of("m1", "m2"),
        "os.cpu.busy_pct", "", t, t + MIN, null));
    assertThat(both).extracting(Series::machine).containsExactly("m1", "m2");
    assertThat(both.get(1).points()).containsExactly(new Point(t, 99, 99, 99));
    assertThat(store.rowCounts()).containsEntry("samples", 4L).containsEntry("series", 3L);
  }

  @Test
  void seriesIdsAreStable() {
    int a = store.seriesId("m1", "", "os.load1");
    assertThat(store.seriesId("m1", "", "os.load1")).isEqualTo(a);
    assertThat(store.seriesId("m1", "web", "os.load1")).isNotEqualTo(a);
  }

  @Test
  void rollsUpMinutesAndHoursWithTheRightAggregates() {
    long t = T0.toEpochMilli();
    // 3 hours, one sample every 10 s: value = minute index within the hour + position in minute
    int n = 3 * 360;
    long[] times = new long[n];
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      times[i] = t + i * 10_000L;
      values[i] = (i / 6) % 60 + (i % 6);
    }
    put("m1", "", "c", times, values);
    clock.set(Instant.ofEpochMilli(t + 3 * HOUR + 5 * MIN));

    Rollups.Pass p = rollups.run();
    assertThat(p.minuteFrom()).isEqualTo(t);
    assertThat(p.minuteTo()).isEqualTo(t + 3 * HOUR + 3 * MIN); // 2 min lateness, floored
    assertThat(p.hourTo()).isEqualTo(t + 3 * HOUR);
    assertThat(store.rowCounts()).containsEntry("rollup_minute", 180L).containsEntry("rollup_hour", 3L);

    Series minutes = one("m1", "c", t, t + 3 * HOUR, Step.MINUTE);
    assertThat(minutes.points()).hasSize(180);
    // minute 7: values 7..12, avg 9.5
    assertThat(minutes.points().get(7)).isEqualTo(new Point(t + 7 * MIN, 9.5, 7, 12));
    Series hours = one("m1", "c", t, t + 3 * HOUR, Step.HOUR);
    // each hour: minute m holds m..m+5, so min 0, max 64, avg 29.5 + 2.5
    assertThat(hours.points()).containsExactly(new Point(t, 32, 0, 64), new Point(t + HOUR, 32, 0, 64),
        new Point(t + 2 * HOUR, 32, 0, 64));

    // a second pass with nothing new changes nothing
    Rollups.Pass again = rollups.run();
    assertThat(again.minuteFrom()).isEqualTo(-1);
    assertThat(store.rowCounts()).containsEntry("rollup_minute", 180L).containsEntry("rollup_hour", 3L);
  }

  @Test
  void aggregatedReadsReachThePresentFromRawSamples() {
    long t = T0.toEpochMilli();
    put("m1", "", "c", new long[] {t, t + 30_000}, new double[] {1, 3});
    clock.set(Instant.ofEpochMilli(t + 10 * MIN));
    rollups.run();
    put("m1", "", "c", new long[] {t + 9 * MIN, t + 9 * MIN + 1000}, new double[] {10, 20});

    Series s = one("m1", "c", t, t + 10 * MIN, Step.MINUTE);
    assertThat(s.points()).containsExactly(new Point(t, 2, 1, 3), new Point(t + 9 * MIN, 15, 10, 20));
    Series h = one("m1", "c", t, t + 10 * MIN, Step.HOUR);
    assertThat(h.points()).containsExactly(new Point(t, 8.5, 1, 20));
  }

  @Test
  void autoPicksRawForFewPointsAndThinsLongRanges() {
    long t = T0.toEpochMilli();
    put("m1", "", "c", new long[] {t, t + 1000}, new double[] {1, 2});
    assertThat(one("m1", "c", t, t + HOUR, null).step()).isEqualTo("raw");
    int n = 2000;
    long[] times = new long[n];
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      times[i] = t + 2000 + i * 1000L;
      values[i] = i;
    }
    put("m1", "", "c", times, values);
    Series s = one("m1", "c", t, t + HOUR, null);
    assertThat(s.step()).isEqualTo("minute");
    assertThat(s.points()).hasSizeLessThanOrEqualTo(CollectionQueries.TARGET_POINTS);
    Series longer = one("m1", "c", t - 30 * 24 * HOUR, t + HOUR, null);
    assertThat(longer.step()).isEqualTo("hour");
    assertThat(longer.bucketMs()).isEqualTo(HOUR);
    Series year = one("m1", "c", t - 300 * 24 * HOUR, t + HOUR, null);
    assertThat(year.bucketMs()).isGreaterThan(HOUR).matches(b -> b % HOUR == 0);
    assertThat((t + HOUR - (t - 300 * 24 * HOUR)) / year.bucketMs()).isLessThanOrEqualTo(CollectionQueries.TARGET_POINTS);
  }

  @Test
  void lateSamplesAreRolledUpAgain() {
    long t = T0.toEpochMilli();
    put("m1", "", "c", new long[] {t + 5 * MIN}, new double[] {10});
    clock.set(Instant.ofEpochMilli(t + 2 * HOUR));
    rollups.run();
    assertThat(one("m1", "c", t, t + HOUR, Step.HOUR).points()).containsExactly(new Point(t, 10, 10, 10));

    // an agent catching up sends a sample for minute 5 an hour and a half later
    put("m1", "", "c", new long[] {t + 5 * MIN + 30_000}, new double[] {30});
    Rollups.Pass p = rollups.run();
    assertThat(p.minuteFrom()).isEqualTo(t + 5 * MIN);
    assertThat(p.hourFrom()).isEqualTo(t);
    assertThat(one("m1", "c", t + 5 * MIN, t + 6 * MIN, Step.MINUTE).points())
        .containsExactly(new Point(t + 5 * MIN, 20, 10, 30));
    assertThat(one("m1", "c", t, t + HOUR, Step.HOUR).points()).containsExactly(new Point(t, 20, 10, 30));
  }

  @Test
  void retentionDeletesEachTierAfterItsTimeButNeverUnrolledSamples() {
    long t = T0.toEpochMilli();
    put("m1", "", "c", new long[] {t, t + HOUR}, new double[] {1, 2});
    logs(new LogLine(t, "m1", "web", "INFO", "old line"));
    // three hours later without any rollup: raw samples are past retention but not rolled up
    clock.set(Instant.ofEpochMilli(t + 3 * HOUR + MIN));
    Map<String, Long> before = store.rowCounts();
    assertThat(before).containsEntry("samples", 2L);
    rollups.run(); // rolls up first, then may delete
    assertThat(store.rowCounts()).containsEntry("samples", 0L).containsEntry("rollup_minute", 2L)
        .containsEntry("rollup_hour", 2L).containsEntry("logs", 1L);

    clock.set(Instant.ofEpochMilli(t + 8 * 24 * HOUR));
    rollups.run();
    assertThat(store.rowCounts()).containsEntry("rollup_minute", 0L).containsEntry("rollup_hour", 2L)
        .containsEntry("logs", 0L);
    clock.set(Instant.ofEpochMilli(t + 91 * 24 * HOUR));
    rollups.run();
    assertThat(store.rowCounts()).containsEntry("rollup_hour", 0L);
  }

  @Test
  void searchesLogsByMachineAppLevelTimeAndText() {
    long t = T0.toEpochMilli();
    logs(new LogLine(t, "m1", "web", "INFO", "GET /index 200"),
        new LogLine(t + 1, "m1", "web", "ERROR", "connection refused: db:5432"),
        new LogLine(t + 2, "m1", "", "WARN", "app web restarted (exit 3)"),
        new LogLine(t + 3, "m1", "db", "INFO", "checkpoint 100% done_ok"));
    logs(new LogLine(t + 4, "m2", "web", "ERROR", "Connection Refused again"));

    List<LogLine> all = queries.logs(new CollectionQueries.LogRequest(null, null, null, null, t, t + 10, 100));
    assertThat(all).extracting(LogLine::t).containsExactly(t + 4, t + 3, t + 2, t + 1, t);
    assertThat(texts(new CollectionQueries.LogRequest("m1", null, null, null, t, t + 10, 100))).hasSize(4);
    assertThat(texts(new CollectionQueries.LogRequest("m1", "web", null, null, t, t + 10, 100)))
        .containsExactly("connection refused: db:5432", "GET /index 200");
    assertThat(texts(new CollectionQueries.LogRequest("m1", "", null, null, t, t + 10, 100)))
        .containsExactly("app web restarted (exit 3)");
    assertThat(texts(new CollectionQueries.LogRequest(null, null, "WARN", null, t, t + 10, 100)))
        .containsExactly("Connection Refused again", "app web restarted (exit 3)", "connection refused: db:5432");
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, "REFUSED", t, t + 10, 100)))
        .containsExactly("Connection Refused again", "connection refused: db:5432");
    // % and _ are text, not patterns
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, "100%", t, t + 10, 100)))
        .containsExactly("checkpoint 100% done_ok");
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, "e_o", t, t + 10, 100))).containsExactly("checkpoint 100% done_ok");
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, "%", t, t + 10, 100))).hasSize(1);
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, null, t + 1, t + 3, 100))).hasSize(2);
    assertThat(texts(new CollectionQueries.LogRequest(null, null, null, null, t, t + 10, 2)))
        .containsExactly("Connection Refused again", "checkpoint 100% done_ok");
  }

  @Test
  void aGroupIsStoredWholeOrNotAtAll() {
    long t = T0.toEpochMilli();
    int id = store.seriesId("m1", "", "c");
    Batch good = new Batch("m1", List.of(new Batch.SeriesSamples("", "c", new long[] {t}, new double[] {1})),
        List.of(), 1, t);
    // a line longer than the column: the database refuses it, and the good batch with it
    String tooLong = "x".repeat(LogLine.MAX_TEXT + 1);
    Batch bad = new Batch("m1", List.of(), List.of(new LogLine(t, "m1", "", "INFO", tooLong)), 0, t);
    List<CollectionStore.Ready> group = new ArrayList<>(List.of(new CollectionStore.Ready(good, new int[] {id}, Long.MIN_VALUE),
        new CollectionStore.Ready(bad, new int[0], Long.MIN_VALUE)));
    try {
      store.store(group);
    } catch (RuntimeException expected) {
      // refused
    }
    assertThat(store.rowCounts()).containsEntry("samples", 0L).containsEntry("logs", 0L);
  }

  private List<String> texts(CollectionQueries.LogRequest r) {
    return queries.logs(r).stream().map(LogLine::text).toList();
  }
}
