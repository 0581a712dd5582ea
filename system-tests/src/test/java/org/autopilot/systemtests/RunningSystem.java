package org.autopilot.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The whole system as separate processes on loopback, from the two runnable jars: {@code
 * autopilot.jar demo} (one DM replica, a simulated fleet over SSH, deployment, watchdog and
 * repair services, git ingest and rollouts) on ports {@code BASE+1..}, and Cockpit from {@code
 * cockpit.jar} with its own users. Ports default to base 18100 and Cockpit 18701, away from the
 * demo's 7100.. and Cockpit's 7701.
 */
final class RunningSystem implements AutoCloseable {
  /** Users of the test: passwords vera-pw (viewer) and otto-pw (operator). */
  static final String USERS = """
      vera viewer $2a$10$NJr2wOcCX3uVAKJQSYqICeh1qkSyXLC7YbMCAYAFHP3IH2U284TDi
      otto operator $2a$10$5XJFUE38cWINFSqC2uHItONh8mMBEOzHSAgNyCkGxberPhuvYT9dG
      """;
  static final ObjectMapper JSON = new ObjectMapper();

  final Path work;
  final int base = Integer.getInteger("autopilot.test.basePort", 18100);
  final int cockpitPort = Integer.getInteger("autopilot.test.cockpitPort", 18701);
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  String adminToken;
  /** The collection service Cockpit is pointed at (a contract stub; see {@link CollectionStub}). */
  CollectionStub collection;

  RunningSystem(Path work) {
    this.work = work;
  }

  String dmApi() {
    return "http://127.0.0.1:" + (base + 1) + "/api/v1";
  }

  String cockpit() {
    return "http://127.0.0.1:" + cockpitPort;
  }

  /** Starts the demo and Cockpit; returns once both answer and the fleet is registered. */
  RunningSystem start(int machines) throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    Path checkout = Path.of(System.getProperty("autopilot.checkout", "..")).toAbsolutePath().normalize();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process demo = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-jar",
        jar("autopilot.jar").toString(), "demo", "--data", work.resolve("demo").toString(),
        "--machines", Integer.toString(machines), "--replicas", "1", "--base-port", Integer.toString(base),
        "--no-cockpit")
        .directory(checkout.toFile()).redirectErrorStream(true)
        .redirectOutput(work.resolve("demo.log").toFile()).start();
    processes.add(demo);
    Path credentials = work.resolve("demo/credentials.properties");
    await("the demo's credentials", Duration.ofSeconds(60), () -> Files.exists(credentials), demo);
    Properties p = new Properties();
    await("the demo's credentials written", Duration.ofSeconds(10), () -> {
      try (Reader r = Files.newBufferedReader(credentials)) {
        p.clear();
        p.load(r);
        return p.getProperty("operator") != null && p.getProperty("admin") != null;
      } catch (IOException e) {
        return false;
      }
    }, demo);
    adminToken = p.getProperty("admin");
    // registered and Healthy: at once where the demo registers its fleet itself, after discovery,
    // imaging and burn-in where it provisions it
    await(machines + " Healthy machines in the DM", Duration.ofSeconds(300), () -> {
      JsonNode page = dmGet("/machines?state=Healthy&limit=1");
      return page != null && page.get("total").asInt() >= machines;
    }, demo);
    Path token = work.resolve("cockpit-dm-token");
    Files.writeString(token, p.getProperty("operator"));
    Path users = work.resolve("cockpit-users.txt");
    Files.writeString(users, USERS);
    collection = new CollectionStub();
    Path collectionToken = work.resolve("collection-token");
    Files.writeString(collectionToken, CollectionStub.TOKEN);
    Process cockpit = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar("cockpit.jar").toString(), "--server.port=" + cockpitPort,
        "--autopilot.dm.urls=" + dmApi(), "--autopilot.dm.token-file=" + token,
        "--autopilot.users-file=" + users, "--autopilot.collection.urls=" + collection.url(),
        "--autopilot.collection.token-file=" + collectionToken, "--autopilot.collection.timeout=1s")
        .redirectErrorStream(true).redirectOutput(work.resolve("cockpit.log").toFile()).start();
    processes.add(cockpit);
    await("Cockpit's login page", Duration.ofSeconds(120), () -> status(cockpit() + "/login") == 200, cockpit);
    return this;
  }

  private static Path jar(String name) {
    String prop = name.equals("cockpit.jar") ? "cockpit.jar" : "autopilot.jar";
    Path p = Path.of(System.getProperty(prop, name));
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p + " is missing: build with 'mvn -B verify' (package runs first)");
    }
    return p;
  }

  /** A GET of the DM API as admin, parsed; null when it does not answer 200. */
  JsonNode dmGet(String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dmApi() + path))
          .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** How many machines the DM lists under {@code query} (e.g. {@code machineType=db}). */
  int dmCount(String query) {
    JsonNode page = dmGet("/machines?limit=1&" + query);
    return page == null ? -1 : page.get("total").asInt();
  }

  /** A command to the DM as admin; its status code. */
  int dmCommand(String json) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(dmApi() + "/commands"))
        .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Polls {@code condition} every 200 ms until it holds; fails after {@code max} or if {@code p} dies. */
  void await(String what, Duration max, BooleanSupplier condition, Process p) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (!p.isAlive()) {
        throw new IllegalStateException("a process died while waiting for " + what + "; logs in " + work);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + what + " within " + max + "; logs in " + work);
      }
      Thread.sleep(200);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (collection != null) {
      collection.close();
    }
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
