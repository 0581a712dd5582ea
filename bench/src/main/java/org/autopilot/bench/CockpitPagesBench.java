package org.autopilot.bench;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportHealth;
import org.autopilot.devicemanager.command.SetBudget;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Cockpit's pages at fleet scale: a real DM replica (its own process) holding {@code --machines}
 * machines of three types in ten scale units (some in Probation and Failure, with repairs chosen
 * and held, and an audit trail), Cockpit from {@code cockpit.jar} (its own process, -Xmx256m)
 * mirroring it, and one logged-in client fetching each page {@code --requests} times after a
 * warm-up of every page, round-robin over the pages. Reports p50/p99 per page (round trip on loopback: an upper bound of the server's
 * time) against the floor of 100 ms, and as a baseline the DM API's own page of 50 machines.
 */
@Command(name = "cockpit-pages", mixinStandardHelpOptions = true,
    description = "p50/p99 of each Cockpit page with N machines in the DM (floor: p99 <= 100 ms).")
public final class CockpitPagesBench implements Callable<Integer> {
  /** The floor every page's p99 must stay under. */
  static final double FLOOR_MS = 100;

  @Option(names = "--machines", defaultValue = "10000") int machines;
  @Option(names = "--requests", defaultValue = "200", description = "measured requests per page") int requests;
  @Option(names = "--warmup", defaultValue = "100", description = "unmeasured requests per page first") int warmup;
  @Option(names = "--heap", defaultValue = "1g", description = "DM replica heap") String heap;
  @Option(names = "--cockpit-heap", defaultValue = "256m") String cockpitHeap;
  @Option(names = "--jar", description = "cockpit.jar (default: AUTOPILOT_COCKPIT_JAR or cockpit-ui/target/cockpit.jar)") Path jar;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;

  private double loadBefore;
  private final CookieManager cookies = new CookieManager();
  private final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies)
      .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

  @Override
  public Integer call() throws Exception {
    Path cockpitJar = jar != null ? jar : findJar();
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-cockpit-pages-");
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.printf("cockpit-pages: %,d machines, %d requests per page after %d warm-up; load "
        + "average %.2f; data %s%n", machines, requests, warmup, load, dir);
    loadBefore = load;
    ProcessCluster dm = new ProcessCluster(dir.resolve("dm"), 1, heap, "");
    Process cockpit = null;
    try {
      dm.startAll();
      dm.leader(Duration.ofSeconds(60)).orElseThrow(() -> new IllegalStateException("no DM leader"));
      DmClient admin = new DmClient(dm.apiUrls(), dm.token(), new Random(7), Duration.ofSeconds(60), 3);
      long t0 = System.nanoTime();
      setUp(admin);
      System.out.printf("set-up: %,d machines in the DM in %.1f s%n", machines, (System.nanoTime() - t0) / 1e9);
      int port = LocalCluster.freePort();
      cockpit = startCockpit(cockpitJar, dir, dm, port);
      String base = "http://127.0.0.1:" + port;
      login(base, cockpit, dir);
      awaitMirror(base, cockpit);
      Map<String, String> pages = new LinkedHashMap<>();
      pages.put("overview", "/");
      pages.put("machines", "/machines");
      pages.put("machines_search", "/machines?q=" + URLEncoder.encode(id(machines / 2), StandardCharsets.UTF_8));
      pages.put("machines_filtered", "/machines?state=Failure&type=web&page=2");
      pages.put("machines_last_page", "/machines?page=" + Math.max(1, machines / 50));
      pages.put("machine", "/machines/" + id(machines / 3));
      pages.put("rollouts", "/rollouts");
      pages.put("repairs", "/repairs");
      pages.put("audit", "/audit");
      pages.put("counters", "/counters");
      // Warm every page up first (JIT), then measure them round-robin, so a hiccup of the
      // machine (GC, the mirror's periodic full read, another process) spreads over all pages.
      Map<String, Histogram> results = new LinkedHashMap<>();
      for (String page : pages.keySet()) {
        results.put(page, new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
      }
      for (int i = 0; i < warmup + requests; i++) {
        for (Map.Entry<String, String> p : pages.entrySet()) {
          long took = fetch(base + p.getValue(), null);
          if (i >= warmup) {
            results.get(p.getKey()).recordValue(took);
          }
        }
      }
      Histogram dmPage = measure(dm.apiUrls().get(0) + "/machines?limit=50&state=Healthy", dm.token());
      report(results, dmPage);
    } finally {
      if (cockpit != null) {
        cockpit.destroy();
        if (!cockpit.waitFor(15, TimeUnit.SECONDS)) {
          cockpit.destroyForcibly();
        }
      }
      dm.close();
    }
    return 0;
  }

  static String id(int i) {
    return String.format("m-%05d", i);
  }

  /** Three types, ten units, everything Healthy, then 2 % Failure (repairs chosen), 1 % Probation. */
  private void setUp(DmClient dm) {
    List<DmCommand> setup = new ArrayList<>(List.of(new DefineMachineType("web", "os-1", "bench"),
        new DefineMachineType("db", "os-1", "bench"), new DefineMachineType("cache", "os-1", "bench")));
    for (int u = 1; u <= 10; u++) {
      setup.add(new DefineScaleUnit("su-" + u, "bench"));
    }
    setup.add(new SetBudget("type:web", "10%", "bench"));
    setup.add(new SetBudget("unit:su-1", "5", "bench"));
    send(dm, List.of(setup));
    String[] types = {"web", "web", "db", "cache"};
    List<List<DmCommand>> batches = new ArrayList<>();
    for (int from = 0; from < machines; from += 1000) {
      List<DmCommand> b = new ArrayList<>();
      for (int i = from; i < Math.min(machines, from + 1000); i++) {
        b.add(new RegisterMachine(MachineId.of(id(i)), "10.0." + i / 250 + "." + i % 250 + ":22",
            "SHA256:bench" + i, types[i % 4], "su-" + (i % 10 + 1), "rack-" + i / 40, null, "bench setup"));
      }
      batches.add(b);
    }
    send(dm, batches);
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      send(dm, each(i -> true, i -> new ChangeState(MachineId.of(id(i)), 0, s, "bench: provisioned")));
    }
    send(dm, each(i -> i % 100 == 7, i -> new ChangeState(MachineId.of(id(i)), 0,
        LifecycleState.PROBATION, "bench: watched")));
    send(dm, each(i -> i % 50 == 3, i -> new ReportHealth(MachineId.of(id(i)), Health.WARNING,
        "bench: degraded")));
    send(dm, each(i -> i % 50 == 11, i -> new ChangeState(MachineId.of(id(i)), 0,
        LifecycleState.FAILURE, "bench: disk errors")));
  }

  private List<List<DmCommand>> each(java.util.function.IntPredicate which,
      java.util.function.IntFunction<DmCommand> command) {
    List<List<DmCommand>> batches = new ArrayList<>();
    List<DmCommand> b = new ArrayList<>();
    for (int i = 0; i < machines; i++) {
      if (which.test(i)) {
        b.add(command.apply(i));
        if (b.size() == 1000) {
          batches.add(b);
          b = new ArrayList<>();
        }
      }
    }
    if (!b.isEmpty()) {
      batches.add(b);
    }
    return batches;
  }

  private static void send(DmClient dm, List<List<DmCommand>> batches) {
    for (List<DmCommand> b : batches) {
      for (CommandResult r : dm.sendAll(b)) {
        if (!r.accepted()) {
          throw new IllegalStateException("set-up refused: " + r.reason());
        }
      }
    }
  }

  private Process startCockpit(Path cockpitJar, Path dir, ProcessCluster dm, int port) throws Exception {
    Path token = dir.resolve("cockpit-dm-token");
    Files.writeString(token, dm.token());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process hash = new ProcessBuilder(java, "-Xmx64m", "-jar", cockpitJar.toString(), "hash-password")
        .redirectErrorStream(true).start();
    hash.getOutputStream().write("bench-pw\n".getBytes(StandardCharsets.UTF_8));
    hash.getOutputStream().close();
    String bcrypt = new String(hash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!hash.waitFor(60, TimeUnit.SECONDS) || !bcrypt.startsWith("$2")) {
      throw new IllegalStateException("hash-password failed: " + bcrypt);
    }
    Path users = dir.resolve("cockpit-users.txt");
    Files.writeString(users, "bench operator " + bcrypt + "\n");
    return new ProcessBuilder(java, "-Xmx" + cockpitHeap, "-XX:+UseSerialGC", "-jar", cockpitJar.toString(),
        "--server.port=" + port, "--autopilot.dm.urls=" + String.join(",", dm.apiUrls()),
        "--autopilot.dm.token-file=" + token, "--autopilot.users-file=" + users)
        .redirectErrorStream(true).redirectOutput(dir.resolve("cockpit.log").toFile()).start();
  }

  private void login(String base, Process cockpit, Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String page = null;
    while (page == null) {
      if (!cockpit.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("Cockpit did not start; see " + dir.resolve("cockpit.log"));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
            HttpResponse.BodyHandlers.ofString());
        page = r.statusCode() == 200 ? r.body() : null;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token on the login page");
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("username=bench&password=bench-pw&_csrf="
            + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 302 || r.headers().firstValue("Location").orElse("").contains("error")) {
      throw new IllegalStateException("login refused: " + r.statusCode() + " " + r.headers().map());
    }
  }

  /** Until the overview counts every machine (the mirror's first full read is done). */
  private void awaitMirror(String base, Process cockpit) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
    String want = "id=\"total\">" + machines + "<";
    while (true) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 && r.body().contains(want)) {
        System.out.printf("Cockpit mirrors %,d machines (%.1f s after login)%n", machines,
            (System.nanoTime() - t0) / 1e9);
        return;
      }
      if (!cockpit.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("Cockpit's copy never showed " + machines + " machines");
      }
      Thread.sleep(250);
    }
  }

  private Histogram measure(String url, String bearer) throws Exception {
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    for (int i = 0; i < warmup + requests; i++) {
      long took = fetch(url, bearer);
      if (i >= warmup) {
        h.recordValue(took);
      }
    }
    return h;
  }

  /** One GET; its round trip in nanoseconds (the whole body read). */
  private long fetch(String url, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    long t = System.nanoTime();
    HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    long took = System.nanoTime() - t;
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
    return took;
  }

  private void report(Map<String, Histogram> results, Histogram dmPage) throws Exception {
    StringBuilder summary = new StringBuilder(String.format(
        "%-20s %9s %9s %9s%n", "page", "p50 ms", "p99 ms", "max ms"));
    double worst = 0;
    String worstPage = null;
    Report rep = new Report("cockpit-pages").put("machines", machines).put("requests_per_page", requests)
        .put("warmup_per_page", warmup).put("floor_p99_ms", FLOOR_MS).put("loadavg_before", loadBefore);
    Map<String, Object> perPage = new LinkedHashMap<>();
    for (Map.Entry<String, Histogram> e : results.entrySet()) {
      Histogram h = e.getValue();
      double p50 = ms(h, 50);
      double p99 = ms(h, 99);
      summary.append(String.format("%-20s %9.1f %9.1f %9.1f%n", e.getKey(), p50, p99, h.getMaxValue() / 1e6));
      perPage.put(e.getKey(), Map.of("p50_ms", round(p50), "p99_ms", round(p99)));
      if (p99 > worst) {
        worst = p99;
        worstPage = e.getKey();
      }
    }
    summary.append(String.format("baseline: the DM API's own page of 50 machines p50 %.1f ms, p99 %.1f ms%n",
        ms(dmPage, 50), ms(dmPage, 99)));
    summary.append(String.format("worst page p99 %.1f ms (%s): %s the floor of %.0f ms (ratio %.2f)",
        worst, worstPage, worst <= FLOOR_MS ? "within" : "ABOVE", FLOOR_MS, worst / FLOOR_MS));
    rep.put("p99_ms", worst).put("worst_page", worstPage).put("ratio_to_floor", worst / FLOOR_MS)
        .put("meets_floor", worst <= FLOOR_MS).put("pages", perPage)
        .put("baseline", "DM API GET /machines?limit=50&state=Healthy, same client")
        .put("baseline_p50_ms", ms(dmPage, 50)).put("baseline_p99_ms", ms(dmPage, 99));
    rep.print(summary.toString());
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e6;
  }

  private static Path findJar() {
    String env = System.getenv("AUTOPILOT_COCKPIT_JAR");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(Path.of("cockpit-ui", "target", "cockpit.jar"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException("cockpit.jar not found (" + candidates + "): build it with "
        + "'mvn -pl cockpit-ui -am -DskipTests package', set AUTOPILOT_COCKPIT_JAR or pass --jar");
  }
}
