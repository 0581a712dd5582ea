package org.autopilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.manifests.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The watchdog service's intake at fleet scale: a real DM replica (its own process, log on
 * disk), the watchdog service (its own process, {@code autopilot watchdog-service}), and
 * {@code --machines} simulated machines in this process, each sending a full report every
 * {@code --interval} over a few keep-alive connections, about 0.1 % of them changing a status.
 * Measures accepted reports/s, latency from due time to answer, CPU of each process, and what
 * reaches Raft. Then the service's capacity (closed loop), and as baseline the same reports
 * sent straight to the DM, one {@code ReportWatchdogs} per report, unfiltered.
 */
@Command(name = "watchdog-intake", mixinStandardHelpOptions = true,
    description = "Watchdog reports/s and latency through the watchdog service vs straight to the DM.")
public final class WatchdogIntakeBench implements Callable<Integer> {
  @Option(names = "--machines", defaultValue = "50000") int machines;
  @Option(names = "--interval", defaultValue = "5s", description = "each machine reports this often") String interval;
  @Option(names = "--seconds", defaultValue = "30", description = "measured time at the fleet's rate") int seconds;
  @Option(names = "--warmup", defaultValue = "-1",
      description = "unmeasured time before (default: two intervals, at least 20 s: every machine's first report is news)") int warmup;
  @Option(names = "--connections", defaultValue = "32", description = "keep-alive connections of the simulated machines") int connections;
  @Option(names = "--change-rate", defaultValue = "0.001", description = "share of reports that flip a status") double changeRate;
  @Option(names = "--saturate-seconds", defaultValue = "10", description = "closed-loop capacity run (0: skip)") int saturateSeconds;
  @Option(names = "--baseline-seconds", defaultValue = "10", description = "reports straight to the DM (0: skip)") int baselineSeconds;
  @Option(names = "--heap", defaultValue = "1g", description = "DM replica heap") String heap;
  @Option(names = "--service-heap", defaultValue = "512m") String serviceHeap;
  @Option(names = "--fleet-refresh", defaultValue = "5s", description = "the service's fleetRefresh") String fleetRefresh;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;
  @Option(names = "--timeline", description = "print answers and the longest latency per second") boolean timeline;

  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-watchdog-intake-");
    long intervalNanos = Durations.parse(interval, "interval").toNanos();
    int warm = warmup >= 0 ? warmup : (int) Math.max(20, 2 * TimeUnit.NANOSECONDS.toSeconds(intervalNanos));
    double offered = machines / (intervalNanos / 1e9);
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.printf("watchdog-intake: %,d machines every %s (%,.0f reports/s offered), %d connections, "
        + "%.2f%% changing, %d s measured after %d s warm-up; load average %.2f; data %s%n", machines,
        interval, offered, connections, changeRate * 100, seconds, warm, load, dir);
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    ProcessCluster dm = new ProcessCluster(dir.resolve("dm"), 1, heap, "");
    Process service = null;
    try {
      dm.startAll();
      dm.leader(Duration.ofSeconds(60)).orElseThrow(() -> new IllegalStateException("no DM leader"));
      DmClient admin = new DmClient(dm.apiUrls(), dm.token(), new Random(seed), Duration.ofSeconds(60), 3);
      long t0 = System.nanoTime();
      setUp(admin);
      System.out.printf("set-up: %,d machines registered and Healthy in %.1f s%n", machines,
          (System.nanoTime() - t0) / 1e9);
      int port = LocalCluster.freePort();
      service = startService(dir, dm, secret, port);
      String base = "http://127.0.0.1:" + port;
      awaitReady(base, service, dir);
      ProcessHandle dmProc = dm.handle("dm1").orElseThrow();

      String[] tokens = new String[machines];
      byte[] key = HexFormat.of().parseHex(secret);
      for (int i = 0; i < machines; i++) {
        tokens[i] = "Bearer " + TokenAuthenticator.machineToken(key, id(i));
      }
      ReportLoad load1 = new ReportLoad(machines, "127.0.0.1", port, changeRate, seed);
      ReportLoad.Target viaService = new ServiceReports(tokens);

      Meter meter = new Meter(base, service.toHandle(), dmProc);
      Run fleet = atFleetRate(load1, viaService, meter, intervalNanos, warm);
      Run sat = saturateSeconds > 0 ? saturate(load1, viaService, meter) : null;
      service.destroy();
      service.waitFor(15, TimeUnit.SECONDS);
      Run direct = baselineSeconds > 0 ? baseline(dm, dmProc) : null;
      report(offered, warm, load, fleet, sat, direct);
    } finally {
      if (service != null) {
        service.destroyForcibly();
      }
      dm.close();
    }
    return 0;
  }

  /**
   * A closed-loop run and the meter readings around it.
   *
   * @param result what the load generator saw
   * @param before reading before
   * @param after reading after
   * @param seconds measured seconds
   */
  private record Run(ReportLoad.Result result, Meter.Reading before, Meter.Reading after, int seconds) {
    double rate() {
      return result.ok() / (double) seconds;
    }

    double cpu(int which) {
      return after.cpu(before, which, wall());
    }

    double wall() {
      return (after.nanos() - before.nanos()) / 1e9;
    }

    double perSecond(long count) {
      return count / wall();
    }
  }

  /** The fleet's own rate: every machine once per interval; warm-up, then measured. */
  private Run atFleetRate(ReportLoad load, ReportLoad.Target target, Meter meter, long intervalNanos,
      int warm) throws InterruptedException {
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(warm);
    long end = from + TimeUnit.SECONDS.toNanos(seconds);
    CompletableFuture<Meter.Reading> before = CompletableFuture.supplyAsync(() -> meter.readAt(from));
    ReportLoad.Result r = load.run(target, connections, intervalNanos, from, end);
    Run run = new Run(r, before.join(), meter.read(), seconds);
    if (timeline) {
      for (int sec = 0; sec < r.perSecond().length; sec++) {
        System.out.printf("  t=%3d s%s answers %6d, longest %6d ms%n", sec, sec < warm ? " (warm-up)" : "",
            r.perSecond()[sec][0], r.perSecond()[sec][1]);
      }
    }
    Histogram h = r.latency();
    System.out.printf("fleet rate: %,.0f reports/s accepted (%d other answers, %d failures%s); "
        + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", run.rate(), r.other(), r.errors(),
        r.lastError() == null ? "" : "; last: " + r.lastError(), ms(h, 50), ms(h, 99), h.getMaxValue() / 1e6);
    System.out.printf("  CPU: service %.2f cores, DM %.2f, load generator %.2f; to the DM: %.1f commands/s "
        + "carrying %.1f verdicts/s (%d status flips sent)%n", run.cpu(Meter.SERVICE), run.cpu(Meter.DM),
        run.cpu(Meter.SELF), run.perSecond(run.after().commands() - run.before().commands()),
        run.perSecond(run.after().verdicts() - run.before().verdicts()), r.changes());
    return run;
  }

  /** The service's capacity: the same connections in a closed loop. */
  private Run saturate(ReportLoad load, ReportLoad.Target target, Meter meter) throws InterruptedException {
    Meter.Reading s0 = meter.read();
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    ReportLoad.Result r = load.run(target, connections, 0, from, from + TimeUnit.SECONDS.toNanos(saturateSeconds));
    Run run = new Run(r, s0, meter.read(), saturateSeconds);
    System.out.printf("capacity (closed loop): %,.0f reports/s, p99 %.1f ms, service CPU %.2f cores%n",
        run.rate(), ms(r.latency(), 99), run.cpu(Meter.SERVICE));
    return run;
  }

  /** The baseline: the same reports straight to the DM, one ReportWatchdogs each, closed loop. */
  private Run baseline(ProcessCluster dm, ProcessHandle dmProc) throws InterruptedException {
    URI api = URI.create(dm.apiUrls().get(0));
    ReportLoad direct = new ReportLoad(machines, api.getHost(), api.getPort(), changeRate, seed + 1);
    Meter dmOnly = new Meter(null, null, dmProc);
    Meter.Reading b0 = dmOnly.read();
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    ReportLoad.Result r = direct.run(new DirectReports("Bearer " + dm.token()), connections, 0, from,
        from + TimeUnit.SECONDS.toNanos(baselineSeconds));
    Run run = new Run(r, b0, dmOnly.read(), baselineSeconds);
    System.out.printf("baseline, straight to the DM (closed loop, one ReportWatchdogs per report): "
        + "%,.0f reports/s (%d refused, %d failures), p99 %.1f ms, DM CPU %.2f cores%n",
        run.rate(), r.other(), r.errors(), ms(r.latency(), 99), run.cpu(Meter.DM));
    return run;
  }

  private void report(double offered, int warm, double load, Run fleet, Run sat, Run base)
      throws Exception {
    Histogram h = fleet.result().latency();
    double rate = fleet.rate();
    double commands = fleet.perSecond(fleet.after().commands() - fleet.before().commands());
    double satRate = sat == null ? 0 : sat.rate();
    double baseRate = base == null ? 0 : base.rate();
    boolean floor = rate >= 10_000 && ms(h, 99) <= 50;
    Report rep = new Report("watchdog-intake").put("machines", machines).put("interval", interval)
        .put("connections", connections).put("change_percent", changeRate * 100).put("seconds", seconds)
        .put("warmup_s", warm).put("loadavg_before", load)
        .put("offered_reports_per_s", offered).put("reports_per_s", rate)
        .put("non_200", fleet.result().other()).put("failed", fleet.result().errors())
        .put("p50_ms", ms(h, 50)).put("p99_ms", ms(h, 99)).put("max_ms", h.getMaxValue() / 1e6)
        .put("service_cpu_cores", fleet.cpu(Meter.SERVICE))
        .put("dm_cpu_cores", fleet.cpu(Meter.DM))
        .put("loadgen_cpu_cores", fleet.cpu(Meter.SELF))
        .put("status_flips_sent", fleet.result().changes())
        .put("dm_commands_per_s", commands)
        .put("verdicts_forwarded_per_s", fleet.perSecond(fleet.after().verdicts() - fleet.before().verdicts()));
    if (sat != null) {
      rep.put("saturated_reports_per_s", satRate).put("saturated_p99_ms", ms(sat.result().latency(), 99))
          .put("saturated_service_cpu_cores", sat.cpu(Meter.SERVICE));
    }
    if (base != null) {
      rep.put("baseline", "the same reports straight to the DM, one ReportWatchdogs command per report, "
              + "closed loop over the same connections")
          .put("baseline_reports_per_s", baseRate).put("baseline_p99_ms", ms(base.result().latency(), 99))
          .put("baseline_refused", base.result().other()).put("baseline_failed", base.result().errors())
          .put("baseline_dm_cpu_cores", base.cpu(Meter.DM))
          .put("ratio_vs_baseline", baseRate == 0 ? 0 : (sat != null ? satRate : rate) / baseRate)
          .put("dm_commands_per_1000_reports", rate == 0 ? 0 : commands / rate * 1000)
          .put("baseline_dm_commands_per_1000_reports", 1000);
    }
    rep.put("floor", "10000 reports/s with p99 <= 50 ms").put("meets_floor", floor)
        .print(String.format("%,.0f reports/s accepted of %,.0f offered, p99 %.1f ms (floor: 10,000/s, "
            + "50 ms: %s); capacity %,.0f/s vs %,.0f/s straight to the DM (%.1fx)", rate, offered,
            ms(h, 99), floor ? "met" : "NOT met", satRate, baseRate,
            baseRate == 0 ? 0 : (sat != null ? satRate : rate) / baseRate));
  }

  static String id(int i) {
    return String.format("m%05d", i);
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
  }

  private void setUp(DmClient dm) throws Exception {
    send(dm, List.of(List.of(new DefineMachineType("bench", null, "bench"),
        new DefineScaleUnit("su-bench", "bench"))));
    List<List<DmCommand>> batches = new ArrayList<>();
    for (int from = 0; from < machines; from += 1000) {
      List<DmCommand> b = new ArrayList<>();
      for (int i = from; i < Math.min(machines, from + 1000); i++) {
        b.add(new RegisterMachine(MachineId.of(id(i)), "127.0.0.1:" + (10000 + i % 50000),
            "SHA256:bench" + i, "bench", "su-bench", "r" + i % 100, null, "bench setup"));
      }
      batches.add(b);
    }
    send(dm, batches);
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      batches.clear();
      for (int from = 0; from < machines; from += 1000) {
        List<DmCommand> b = new ArrayList<>();
        for (int i = from; i < Math.min(machines, from + 1000); i++) {
          b.add(new ChangeState(MachineId.of(id(i)), 0, s, "bench setup"));
        }
        batches.add(b);
      }
      send(dm, batches);
    }
  }

  /** Sends the batches, four requests in flight; a refusal (other than "exists already") stops the bench. */
  private static void send(DmClient dm, List<List<DmCommand>> batches) {
    for (int i = 0; i < batches.size(); i += 4) {
      List<CompletableFuture<List<CommandResult>>> inFlight = new ArrayList<>();
      for (List<DmCommand> b : batches.subList(i, Math.min(batches.size(), i + 4))) {
        inFlight.add(dm.sendAllAsync(b));
      }
      for (CompletableFuture<List<CommandResult>> f : inFlight) {
        for (CommandResult r : f.join()) {
          if (!r.accepted() && r.code() != org.autopilot.devicemanager.core.Decision.Rejection.CONFLICT) {
            throw new IllegalStateException("set-up refused: " + r.reason());
          }
        }
      }
    }
  }

  private Process startService(Path dir, ProcessCluster dm, String secret, int port) throws Exception {
    Path wd = Files.createDirectories(dir.resolve("watchdog-service"));
    Files.writeString(wd.resolve("dm.token"), dm.token());
    Files.writeString(wd.resolve("machine-secret"), secret);
    Files.writeString(wd.resolve("watchdog-service.yaml"), "id: wd-bench\nlisten: 127.0.0.1:" + port
        + "\ndmUrls: [" + String.join(", ", dm.apiUrls()) + "]\ndmTokenFile: dm.token\n"
        + "machineSecretFile: machine-secret\nprobeInterval: \"off\"\nfleetRefresh: " + fleetRefresh + "\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + serviceHeap, "-XX:+UseParallelGC"));
    String extra = System.getenv("AUTOPILOT_BENCH_SERVICE_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.autopilot.launcher.Main",
        "watchdog-service", "--config", wd.resolve("watchdog-service.yaml").toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("watchdog-service.log").toFile()))
        .start();
  }

  private void awaitReady(String base, Process service, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new IllegalStateException("the watchdog service exited; see " + dir.resolve("watchdog-service.log"));
      }
      try {
        JsonNode s = status(base);
        if (s.path("ready").asBoolean()) {
          System.out.printf("watchdog service ready on %s with %,d machines%n", base, s.path("machines").asInt());
          return;
        }
      } catch (Exception e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the watchdog service did not lead within 120 s");
  }

  JsonNode status(String base) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/status"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return Json.lenient().readTree(r.body());
  }

  /** Reports to the service: machine tokens, perfData included. */
  private record ServiceReports(String[] tokens) implements ReportLoad.Target {
    public String path() {
      return "/api/v1/reports";
    }

    public String authorization(int machine) {
      return tokens[machine];
    }

    public byte[] body(int machine, int count, boolean warning, int appCount) {
      return ("{\"machine\":\"" + id(machine) + "\",\"watchdogs\":[" + verdicts(machine, count, warning, appCount, true)
          + "]}").getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The same verdicts straight to the DM: one ReportWatchdogs command (the DM takes no perfData). */
  private record DirectReports(String authorization) implements ReportLoad.Target {
    public String path() {
      return "/api/v1/commands";
    }

    public String authorization(int machine) {
      return authorization;
    }

    public byte[] body(int machine, int count, boolean warning, int appCount) {
      return ("{\"type\":\"ReportWatchdogs\",\"reports\":[{\"machine\":\"" + id(machine) + "\",\"watchdogs\":["
          + verdicts(machine, count, warning, appCount, false) + "]}],\"cause\":\"bench\"}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  static String verdicts(int machine, int count, boolean warning, int appCount, boolean perf) {
    int disk = 20 + machine % 60;
    return "{\"watchdog\":\"disk\",\"status\":\"OK\",\"text\":\"/ " + disk + "% used\",\"consecutive\":"
        + count + (perf ? ",\"perfData\":[{\"label\":\"/\",\"value\":" + disk + ",\"uom\":\"%\","
        + "\"warn\":{\"start\":0,\"end\":80,\"inside\":false},\"crit\":{\"start\":0,\"end\":90,"
        + "\"inside\":false},\"min\":0,\"max\":100}]" : "") + "},"
        + "{\"watchdog\":\"memory\",\"status\":\"OK\",\"text\":\"61% used\",\"consecutive\":" + count + "},"
        + "{\"watchdog\":\"app\",\"status\":\"" + (warning ? "Warning" : "OK") + "\",\"text\":\""
        + (warning ? "web: slow answers" : "web: running") + "\",\"consecutive\":" + appCount + "}";
  }
}
