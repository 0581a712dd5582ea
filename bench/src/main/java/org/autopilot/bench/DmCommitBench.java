package org.autopilot.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportHealth;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sustained machine-state commands per second through the HTTP API and client library, against
 * DM replicas running as separate processes with their logs fsynced, beside the disk's own
 * fdatasync rate measured in the same data directory.
 */
@Command(name = "dm-commit", mixinStandardHelpOptions = true,
    description = "Machine-state commands/s and latency through the DM API (group commit) vs fdatasync/s.")
public final class DmCommitBench implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "3") int replicas;
  @Option(names = "--seconds", defaultValue = "20", description = "measured time") int seconds;
  @Option(names = "--warmup", defaultValue = "25", description = "unmeasured load before (JIT warm-up of 4 JVMs)") int warmup;
  @Option(names = "--clients", defaultValue = "16", description = "concurrent clients, each one request at a time") int clients;
  @Option(names = "--machines", defaultValue = "10000") int machines;
  @Option(names = "--per-request", defaultValue = "10",
      description = "commands per HTTP request (satellites report in batches; 1 = one command per request)")
  int perRequest;
  @Option(names = "--connections", defaultValue = "2", description = "client library instances shared by the clients") int connections;
  @Option(names = "--heap", defaultValue = "1g", description = "heap of each replica JVM") String heap;
  @Option(names = "--in-process", description = "run the replicas inside the benchmark's JVM "
      + "(default: one process per replica)") boolean inProcess;
  @Option(names = "--max-in-flight", defaultValue = "1",
      description = "replica config batch.maxInFlight: log entries in flight per replica") int maxInFlight;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;
  /** Last health sent per machine; each machine belongs to one client, so no races. */
  private boolean[] warning;

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-dm-commit-");
    System.out.printf("dm-commit: %d replicas, %d clients x %d command(s) per request, %d machines, "
        + "%d s (+%d s warm-up), data %s%n", replicas, clients, perRequest, machines, seconds, warmup, dir);
    double fsync = FsyncProbe.perSecond(dir, Duration.ofSeconds(3));
    System.out.printf("baseline: %.0f fdatasync/s (4 KiB appends) in %s%n", fsync, dir);

    try (Replicas cluster = inProcess ? Replicas.inProcess(dir, replicas)
        : Replicas.processes(dir, replicas, heap, "batch: {maxInFlight: " + maxInFlight + "}\n")) {
      System.out.println("replicas: " + (inProcess ? "in this JVM" : "one JVM process each")
          + ", API " + cluster.apiUrls());
      List<DmClient> pool = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        DmClient c = new DmClient(cluster.apiUrls(), cluster.token(), new Random(seed + i),
            Duration.ofSeconds(30), 6);
        c.refreshLeader();
        pool.add(c);
      }
      setUp(pool.get(0));
      warning = new boolean[machines];

      Recorder recorder = new Recorder(3);
      AtomicLong ok = new AtomicLong();
      AtomicLong rejected = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long t0 = System.nanoTime();
      long measureFrom = t0 + TimeUnit.SECONDS.toNanos(warmup);
      long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      CountDownLatch done = new CountDownLatch(clients);
      for (int i = 0; i < clients; i++) {
        new Loop(i, pool.get(i % pool.size()), measureFrom, end, recorder, ok, rejected, failed, done).next();
      }
      if (!done.await(seconds + warmup + 120L, TimeUnit.SECONDS)) {
        System.out.println("warning: some clients did not finish in time");
      }
      Histogram h = recorder.getIntervalHistogram();
      double perSecond = ok.get() / (double) seconds;
      double[] batch = batchSizes(cluster);
      new Report("dm-commit")
          .put("replicas", replicas).put("replica_processes", !inProcess).put("clients", clients).put("commands_per_request", perRequest)
          .put("seconds", seconds)
          .put("commands", ok.get()).put("rejected", rejected.get()).put("failed", failed.get())
          .put("commands_per_s", perSecond)
          .put("p50_ms", h.getValueAtPercentile(50) / 1e6).put("p99_ms", h.getValueAtPercentile(99) / 1e6)
          .put("max_ms", h.getMaxValue() / 1e6)
          .put("mean_commands_per_entry", batch[1] == 0 ? 0 : batch[0] / batch[1])
          .put("fsync_per_s", fsync).put("ratio_vs_fsync", perSecond / fsync)
          .put("baseline", "one 4 KiB append + fdatasync per command on the same disk")
          .print(String.format("%,.0f commands/s accepted (%d rejected, %d failed); p50 %.1f ms, p99 %.1f ms, max %.1f ms;%n"
              + "%.1f commands per log entry; %.0f fdatasync/s on this disk -> %.1fx one-fsync-per-command",
              perSecond, rejected.get(), failed.get(), h.getValueAtPercentile(50) / 1e6,
              h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
              batch[1] == 0 ? 0 : batch[0] / batch[1], fsync, perSecond / fsync));
    }
    return 0;
  }

  private void setUp(DmClient client) {
    client.sendAll(List.of(new DefineMachineType("bench", null, "bench"),
        new DefineScaleUnit("su-bench", "bench")));
    for (int from = 0; from < machines; from += 1000) {
      List<DmCommand> batch = new ArrayList<>();
      for (int i = from; i < Math.min(machines, from + 1000); i++) {
        batch.add(new RegisterMachine(MachineId.of("m" + i), "127.0.0.1:" + (10000 + i % 50000),
            "SHA256:bench" + i, "bench", "su-bench", "r" + i % 40, null, "bench setup"));
      }
      for (CommandResult r : client.sendAll(batch)) {
        if (!r.accepted() && r.code() != org.autopilot.devicemanager.core.Decision.Rejection.CONFLICT) {
          throw new IllegalStateException("setup rejected: " + r.reason());
        }
      }
    }
  }

  /** Sum and count of commands per log entry over every replica's batcher, from /metrics. */
  private static double[] batchSizes(Replicas cluster) {
    double sum = 0;
    double count = 0;
    HttpClient http = HttpClient.newHttpClient();
    Pattern p = Pattern.compile("(?m)^dm_batch_commands_(sum|count)\\{[^}]*} ([0-9.E+]+)$");
    for (String api : cluster.apiUrls()) {
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create(api.replace("/api/v1", "/metrics")))
            .header("Authorization", "Bearer " + cluster.token()).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = p.matcher(body);
        while (m.find()) {
          if (m.group(1).equals("sum")) {
            sum += Double.parseDouble(m.group(2));
          } else {
            count += Double.parseDouble(m.group(2));
          }
        }
      } catch (Exception e) {
        // a replica that does not answer adds nothing
      }
    }
    return new double[] {sum, count};
  }

  /** One client: one request at a time, toggling the health of its own machines. */
  private final class Loop {
    final int id;
    final DmClient client;
    final long measureFrom;
    final long end;
    final Recorder recorder;
    final AtomicLong ok;
    final AtomicLong rejected;
    final AtomicLong failed;
    final CountDownLatch done;
    final Random random;

    Loop(int id, DmClient client, long measureFrom, long end, Recorder recorder, AtomicLong ok,
        AtomicLong rejected, AtomicLong failed, CountDownLatch done) {
      this.id = id;
      this.client = client;
      this.measureFrom = measureFrom;
      this.end = end;
      this.recorder = recorder;
      this.ok = ok;
      this.rejected = rejected;
      this.failed = failed;
      this.done = done;
      this.random = new Random(seed * 31 + id);
    }

    void next() {
      long start = System.nanoTime();
      if (start >= end) {
        done.countDown();
        return;
      }
      int owned = Math.max(1, machines / clients);
      List<DmCommand> batch = new ArrayList<>(perRequest);
      java.util.Set<Integer> picked = new java.util.HashSet<>();
      while (batch.size() < Math.min(perRequest, owned)) {
        int m = Math.min(machines - 1, id + clients * random.nextInt(owned));
        if (picked.add(m)) {
          warning[m] = !warning[m];
          batch.add(new ReportHealth(MachineId.of("m" + m), warning[m] ? Health.WARNING : Health.OK, "bench"));
        }
      }
      client.sendAllAsync(batch).whenComplete((results, e) -> {
        long now = System.nanoTime();
        if (start >= measureFrom && now <= end) {
          if (e != null) {
            failed.addAndGet(batch.size());
          } else {
            for (CommandResult r : results) {
              if (r.accepted()) {
                ok.incrementAndGet();
                recorder.recordValue(now - start);
              } else {
                rejected.incrementAndGet();
              }
            }
          }
        }
        next();
      });
    }
  }
}
