package org.autopilot.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.server.LocalCluster;

/**
 * DM replicas as separate JVM processes on loopback, each started with {@code autopilot dm
 * --config FILE}, so a benchmark can crash one for real ({@code kill -9}) and measure what a
 * client sees. Logs go to {@code <dir>/<id>.log}.
 */
final class ProcessCluster implements AutoCloseable {
  private final Path dir;
  private final String token;
  private final Map<String, String> apis = new LinkedHashMap<>();
  private final Map<String, Process> live = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final String heap;

  ProcessCluster(Path dir, int replicas, String heap) throws IOException {
    this(dir, replicas, heap, "");
  }

  /** A cluster whose replica configs end with {@code extraYaml} (e.g. a batch section). */
  ProcessCluster(Path dir, int replicas, String heap, String extraYaml) throws IOException {
    this.dir = dir;
    this.heap = heap;
    this.token = TokenAuthenticator.newToken(new SecureRandom());
    Files.createDirectories(dir);
    Map<String, int[]> ports = new LinkedHashMap<>();
    for (int i = 1; i <= replicas; i++) {
      ports.put("dm" + i, new int[] {LocalCluster.freePort(), LocalCluster.freePort()});
    }
    StringBuilder peers = new StringBuilder("peers:\n");
    ports.forEach((id, p) -> {
      peers.append("  ").append(id).append(": {raft: \"127.0.0.1:").append(p[1])
          .append("\", api: \"http://127.0.0.1:").append(p[0]).append("\"}\n");
      apis.put(id, "http://127.0.0.1:" + p[0] + "/api/v1");
    });
    for (String id : ports.keySet()) {
      Files.writeString(dir.resolve(id + ".yaml"), "id: " + id + "\ndataDir: " + id + "\n" + peers
          + "raft: {electionTimeoutMin: 300ms, electionTimeoutMax: 600ms, snapshotEvery: 50000}\n"
          + "tokens:\n  - {name: bench, role: admin, sha256: " + TokenAuthenticator.sha256(token) + "}\n"
          + extraYaml);
    }
  }

  String token() {
    return token;
  }

  List<String> apiUrls() {
    return new ArrayList<>(apis.values());
  }

  Path dataDir(String id) {
    return dir.resolve(id);
  }

  void startAll() throws IOException {
    for (String id : apis.keySet()) {
      start(id);
    }
  }

  void start(String id) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseParallelGC"));
    String extra = System.getenv("AUTOPILOT_BENCH_REPLICA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.replace("{id}", id).trim().split("\\s+")));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.autopilot.launcher.Main",
        "dm", "--config", dir.resolve(id + ".yaml").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".log").toFile()));
    live.put(id, pb.start());
  }

  /** The running process of a replica, if it runs (e.g. to read its CPU time). */
  Optional<ProcessHandle> handle(String id) {
    Process p = live.get(id);
    return p == null ? Optional.empty() : Optional.of(p.toHandle());
  }

  /** Crashes a replica: SIGKILL, no shutdown hook, no snapshot on stop. */
  void kill(String id) throws InterruptedException {
    Process p = live.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /** The id of the leader, polling every replica's status for up to {@code timeout}. */
  Optional<String> leader(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      for (Map.Entry<String, Process> e : live.entrySet()) {
        if (!e.getValue().isAlive()) {
          List<String> log = Files.readAllLines(dir.resolve(e.getKey() + ".log"));
          throw new IllegalStateException("replica " + e.getKey() + " exited; last log lines:\n"
              + String.join("\n", log.subList(Math.max(0, log.size() - 8), log.size())));
        }
      }
      for (String id : live.keySet()) {
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apis.get(id) + "/status"))
              .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(1)).build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200 && r.body().contains("\"role\":\"LEADER\"")) {
            return Optional.of(id);
          }
        } catch (IOException e) {
          // not up yet
        }
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /**
   * Waits until every running replica has applied at least what the leader had applied when
   * the wait began, so the next fault hits a healthy cluster; false on timeout.
   */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String leader = leader(timeout).orElse(null);
    if (leader == null) {
      return false;
    }
    long target = appliedIndex(leader);
    do {
      boolean all = true;
      for (String id : live.keySet()) {
        all &= appliedIndex(id) >= target;
      }
      if (all) {
        return true;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return false;
  }

  private long appliedIndex(String id) throws InterruptedException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apis.get(id) + "/status"))
          .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(1)).build(),
          HttpResponse.BodyHandlers.ofString());
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"appliedIndex\":(-?\\d+)")
          .matcher(r.body());
      return r.statusCode() == 200 && m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Stops every replica gracefully (SIGTERM, then SIGKILL after 15 s). */
  @Override
  public void close() throws InterruptedException {
    for (Process p : live.values()) {
      p.destroy();
    }
    for (Process p : live.values()) {
      if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    live.clear();
  }
}
