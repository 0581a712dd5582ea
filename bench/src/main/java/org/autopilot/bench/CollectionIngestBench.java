package org.autopilot.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.autopilot.collection.service.CollectionService;
import org.autopilot.collection.service.CollectionServiceConfig;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.collection.store.IngestWriter;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Counter samples into H2 end to end: the collection service (in this JVM, its H2 file in the
 * data directory) takes gzip-compressed batches over loopback HTTP from {@code --senders}
 * connections speaking for {@code --machines} simulated machines (each batch: {@code --counters}
 * series of {@code --points} samples, as an agent ships them), parses them on request threads
 * and stores them with its group-committing writer; samples/s are what the service committed
 * during the measured window. Baseline, in the same run and into the same table: plain JDBC
 * prepared-statement batches of the same rows (before and after), the ceiling for any ingest path.
 * Batches are compressed before the clock starts: compression is the agents' cost.
 */
@Command(name = "collection-ingest", mixinStandardHelpOptions = true,
    description = "Samples/s through the collection service into H2 vs raw JDBC batch inserts.")
public final class CollectionIngestBench implements Callable<Integer> {
  @Option(names = "--machines", defaultValue = "2000") int machines;
  @Option(names = "--counters", defaultValue = "50", description = "series per machine") int counters;
  @Option(names = "--points", defaultValue = "6", description = "samples per series per batch (10 s sampling shipped every minute)") int points;
  @Option(names = "--logs", defaultValue = "0", description = "log lines per batch") int logs;
  @Option(names = "--rounds", defaultValue = "8",
      description = "batches per machine prepared, each a minute later than the one before (times advance as a fleet's do)") int rounds;
  @Option(names = "--senders", defaultValue = "64", description = "concurrent HTTP senders (machines with a batch in flight)") int senders;
  @Option(names = "--seconds", defaultValue = "20", description = "measured time") int seconds;
  @Option(names = "--warmup", defaultValue = "10", description = "unmeasured time before") int warmup;
  @Option(names = "--raw-rows", defaultValue = "3000000", description = "rows per raw JDBC run") int rawRows;
  @Option(names = "--writers", defaultValue = "1", description = "writer threads") int writers;
  @Option(names = "--group", defaultValue = "20000", description = "writer: samples per transaction") int group;
  @Option(names = "--h2-options", defaultValue = "", description = "appended to the H2 URL, e.g. ;CACHE_SIZE=131072") String h2Options;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-collection-ingest-");
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int perBatch = counters * points;
    System.out.printf("collection-ingest: %,d machines x %d counters x %d points = %,d samples per batch, "
        + "%d senders, %d s measured after %d s warm-up; load average %.2f; data %s%n", machines, counters,
        points, perBatch, senders, seconds, warmup, load, dir);
    String url = "jdbc:h2:file:" + dir.resolve("collection").toAbsolutePath() + h2Options;
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    String viewer = TokenAuthenticator.newToken(new SecureRandom());
    CollectionServiceConfig config = CollectionServiceConfig.of("bench", "127.0.0.1", 0,
        new DatabaseConfig(url, "sa", "", 8), secret,
        List.of(new TokenAuthenticator.TokenEntry("bench", Role.VIEWER, TokenAuthenticator.sha256(viewer))))
        .withRetention(new org.autopilot.collection.store.Rollups.Settings(Duration.ofMinutes(2),
            Duration.ofHours(2), Duration.ofDays(7), Duration.ofDays(90), Duration.ofDays(7)), Duration.ofHours(1))
        .withWriter(new IngestWriter.Settings(writers, group, 2_000_000));

    long t0 = System.currentTimeMillis() - (rounds + 1) * 60_000L;
    byte[][] bodies = new byte[machines * rounds][];
    String[] tokens = new String[machines];
    byte[] key = HexFormat.of().parseHex(secret);
    long bytes = 0;
    Random random = new Random(42);
    for (int r = 0; r < rounds; r++) {
      for (int m = 0; m < machines; m++) {
        String id = String.format("bench-%05d", m);
        tokens[m] = "Bearer " + TokenAuthenticator.machineToken(key, id);
        bodies[r * machines + m] = gzip(body(id, t0 + r * 60_000L, random));
        bytes += bodies[r * machines + m].length;
      }
    }
    System.out.printf("batches: %,d prepared, %,d bytes gzip on average (%.1f bytes per sample)%n", bodies.length,
        bytes / bodies.length, bytes / (double) bodies.length / perBatch);

    // series ids the raw baseline writes: as many distinct as the service has
    int seriesCount = machines * counters;
    double raw1 = rawJdbc(url, seriesCount, t0, "samples", 1);
    System.out.printf("raw JDBC (before): %,.0f rows/s%n", raw1);

    long[] result;
    long committed;
    try (CollectionService service = CollectionService.start(config, InstantSource.system())) {
      result = drive(service, bodies, tokens);
      committed = result[0];
    }
    double e2e = committed / (result[3] / 1e9);
    System.out.printf("end to end: %,.0f samples/s committed (%,d requests refused or failed; %,d 503 busy)%n",
        e2e, result[1], result[2]);
    double raw2 = rawJdbc(url, seriesCount, t0, "samples", 1);
    System.out.printf("raw JDBC (after): %,.0f rows/s%n", raw2);
    double multi = rawJdbc(url, seriesCount, t0, "samples", 64);
    System.out.printf("raw JDBC, 64 rows per INSERT as the service writes (after): %,.0f rows/s%n", multi);
    double raw = (raw1 + raw2) / 2;
    double ratio = raw == 0 ? 0 : e2e / raw;
    boolean floor = e2e >= 200_000 && ratio >= 0.7;
    new Report("collection-ingest").put("machines", machines).put("counters", counters).put("points", points)
        .put("samples_per_batch", perBatch).put("logs_per_batch", logs).put("senders", senders)
        .put("seconds", seconds).put("warmup_s", warmup).put("loadavg_before", load)
        .put("gzip_bytes_per_batch", bytes / bodies.length).put("group_samples", group).put("writers", writers)
        .put("samples_per_s", e2e).put("requests_failed", result[1]).put("requests_busy", result[2])
        .put("raw_jdbc_per_s", raw).put("raw_jdbc_before_per_s", raw1).put("raw_jdbc_after_per_s", raw2)
        .put("ratio", ratio).put("raw_jdbc_multirow_per_s", multi)
        .put("ratio_vs_multirow", multi == 0 ? 0 : e2e / multi)
        .put("baseline", "plain JDBC prepared-statement batches, one row per INSERT (4096 rows per "
            + "executeBatch, commit per " + group + ") into the same samples table of the same H2 file, "
            + "before and after; also (raw_jdbc_multirow_per_s) 64 rows per INSERT, the service's own form")
        .put("floor", "200000 samples/s and ratio >= 0.7").put("meets_floor", floor)
        .print(String.format("%,.0f samples/s end to end vs %,.0f rows/s raw JDBC: ratio %.2f (floor: 200,000/s "
            + "and 0.7: %s)", e2e, raw, ratio, floor ? "met" : "NOT met"));
    return 0;
  }

  /** Closed loop from every sender; returns {samples committed in the window, failed, busy}. */
  private long[] drive(CollectionService service, byte[][] bodies, String[] tokens) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI uri = URI.create(service.url() + "/api/v1/ingest");
    AtomicLong next = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong busy = new AtomicLong();
    // steady state: every machine has sent once, so its series exist (a machine's first batch
    // creates them, once in its life)
    long s0 = System.nanoTime();
    List<Thread> first = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      int from = s;
      Thread t = new Thread(() -> {
        for (int m = from; m < tokens.length; m += senders) {
          try {
            http.send(HttpRequest.newBuilder(uri).header("Authorization", tokens[m]).header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[m])).build(), HttpResponse.BodyHandlers.discarding());
          } catch (IOException | InterruptedException e) {
            failed.incrementAndGet();
          }
        }
      });
      t.start();
      first.add(t);
    }
    for (Thread t : first) {
      t.join();
    }
    System.out.printf("first batch of every machine (creates its %d series): %.1f s%n", counters,
        (System.nanoTime() - s0) / 1e9);
    long start = System.nanoTime();
    long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
    long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end) {
          int b = (int) (next.getAndIncrement() % bodies.length);
          try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", tokens[b % tokens.length]).header("Content-Encoding", "gzip")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies[b])).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 503) {
              busy.incrementAndGet();
            } else if (r.statusCode() != 200) {
              failed.incrementAndGet();
            }
          } catch (IOException e) {
            failed.incrementAndGet();
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "sender-" + s);
      t.start();
      threads.add(t);
    }
    sleepUntil(measureFrom);
    long before = committed(service);
    long from = System.nanoTime();
    sleepUntil(end);
    long after = committed(service);
    long wall = System.nanoTime() - from;
    for (Thread t : threads) {
      t.join(120_000);
    }
    return new long[] {after - before, failed.get(), busy.get(), wall};
  }

  private static long committed(CollectionService service) {
    return ((Number) service.ingest().get("samplesStored")).longValue();
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
    }
  }

  /**
   * Rows/s of plain JDBC batches into {@code table}: {@code perStatement} rows per INSERT (1: the
   * classic form), 4096 rows per executeBatch, a commit per group.
   */
  private double rawJdbc(String url, int seriesCount, long t0, String table, int perStatement) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE IF NOT EXISTS samples (series_id INT NOT NULL, t BIGINT NOT NULL, "
          + "v DOUBLE PRECISION NOT NULL)");
      c.createStatement().execute("CREATE INDEX IF NOT EXISTS samples_t ON samples (t)");
      c.setAutoCommit(false);
      int rows = rawRows / perStatement * perStatement;
      long start = System.nanoTime();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (series_id, t, v) VALUES "
          + "(?, ?, ?), ".repeat(perStatement - 1) + "(?, ?, ?)")) {
        int pending = 0;
        int col = 1;
        for (int i = 0; i < rows; i++) {
          ps.setInt(col, 1 + i % seriesCount);
          ps.setLong(col + 1, t0 + (i / seriesCount) * 10_000L);
          ps.setDouble(col + 2, (i * 7919) % 1000 / 10.0);
          col += 3;
          if (col > 3 * perStatement) {
            col = 1;
            ps.addBatch();
            pending += perStatement;
            if (pending >= 4096) {
              ps.executeBatch();
              pending = 0;
            }
          }
          if ((i + 1) % group == 0) {
            ps.executeBatch();
            pending = 0;
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
      return rows / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** One machine's batch: its counters, {@code points} samples each 10 s apart, a few log lines. */
  private byte[] body(String machine, long t0, Random random) {
    StringBuilder b = new StringBuilder(counters * points * 24 + 256);
    b.append("{\"machine\":\"").append(machine).append("\",\"samples\":[");
    for (int c = 0; c < counters; c++) {
      b.append(c == 0 ? "" : ",").append("{\"app\":\"").append(c < 30 ? "" : "app" + (c % 3))
          .append("\",\"counter\":\"").append(c < 30 ? "os.counter" + c : "app.counter" + c).append("\",\"points\":[");
      double v = random.nextDouble() * 100;
      for (int p = 0; p < points; p++) {
        v = Math.max(0, v + random.nextGaussian() * 2);
        b.append(p == 0 ? "" : ",").append('[').append(t0 + p * 10_000L).append(',')
            .append(Math.round(v * 100) / 100.0).append(']');
      }
      b.append("]}");
    }
    b.append("],\"logs\":[");
    for (int l = 0; l < logs; l++) {
      b.append(l == 0 ? "" : ",").append("{\"t\":").append(t0 + l).append(",\"app\":\"app1\",\"level\":\"INFO\","
          + "\"text\":\"GET /api/items/").append(random.nextInt(100000)).append(" 200 12ms\"}");
    }
    return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }
}
