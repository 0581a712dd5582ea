package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.Range;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogVerdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reporter to the watchdog service against real HTTP servers on loopback standing in for
 * service replicas: a leader that takes reports, a follower that answers 503 naming the leader,
 * a broken one (500) and an address where nothing listens.
 */
class ServiceWatchdogReporterTest {
  final List<HttpServer> servers = new CopyOnWriteArrayList<>();

  /** What one stand-in replica received. */
  record Received(String authorization, JsonNode body) {}

  /** A replica answering {@code status}, with {@code leader} in the header when not null. */
  URI replica(int status, URI leader, List<Received> log) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/api/v1/reports", ex -> {
      byte[] in = ex.getRequestBody().readAllBytes();
      log.add(new Received(ex.getRequestHeaders().getFirst("Authorization"), Json.mapper().readTree(in)));
      if (leader != null) {
        ex.getResponseHeaders().add(ServiceWatchdogReporter.LEADER, leader.toString());
      }
      byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    s.start();
    servers.add(s);
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    servers.forEach(s -> s.stop(0));
  }

  static WatchdogRound round(int n) {
    PerfData free = new PerfData("free", 41.5, "%", new Range(10, Double.POSITIVE_INFINITY, false),
        new Range(5, Double.POSITIVE_INFINITY, false), 0.0, 100.0);
    return new WatchdogRound(Instant.EPOCH.plusSeconds(n), List.of(
        new WatchdogVerdict("disk", Health.OK, "disk OK", n, List.of(free)),
        new WatchdogVerdict("check_x", Health.ERROR, "broken", n, List.of())));
  }

  @Test
  void roundsFailOverToTheLeaderAndGoThereFirstNextTime() throws Exception {
    List<Received> atLeader = new CopyOnWriteArrayList<>();
    List<Received> atFollower = new CopyOnWriteArrayList<>();
    List<Received> atBroken = new CopyOnWriteArrayList<>();
    URI leader = replica(200, null, atLeader);
    URI follower = replica(503, leader, atFollower);
    URI broken = replica(500, null, atBroken);
    URI nobody = URI.create("http://127.0.0.1:" + LocalCluster.freePort());
    AgentWatchdogsTest.Faults faults = new AgentWatchdogsTest.Faults();
    ServiceWatchdogReporter r = new ServiceWatchdogReporter("m7", "machine:m7:abc",
        List.of(nobody, follower, broken, leader), faults, Duration.ofSeconds(5));

    r.accept(round(1));
    assertThat(r.sent()).isEqualTo(1);
    assertThat(atFollower).hasSize(1);
    assertThat(atBroken).as("tried after the follower, before the leader").hasSize(1);
    assertThat(atLeader).singleElement().satisfies(got -> {
      assertThat(got.authorization()).isEqualTo("Bearer machine:m7:abc");
      JsonNode b = got.body();
      assertThat(b.get("machine").asText()).isEqualTo("m7");
      JsonNode disk = b.get("watchdogs").get(0);
      assertThat(disk.get("watchdog").asText()).isEqualTo("disk");
      assertThat(disk.get("status").asText()).isEqualTo("OK");
      assertThat(disk.get("text").asText()).isEqualTo("disk OK");
      assertThat(disk.get("consecutive").asInt()).isEqualTo(1);
      JsonNode perf = disk.get("perfData").get(0);
      assertThat(perf.get("label").asText()).isEqualTo("free");
      assertThat(perf.get("value").asDouble()).isEqualTo(41.5);
      assertThat(perf.get("warn").asText()).isEqualTo("10:");
      assertThat(perf.get("crit").asText()).isEqualTo("5:");
      assertThat(b.get("watchdogs").get(1).get("status").asText()).isEqualTo("Error");
    });

    r.accept(round(2));
    assertThat(atLeader).hasSize(2);
    assertThat(atFollower).as("the leader named by the 503 is tried first").hasSize(1);
    assertThat(atBroken).hasSize(1);

    faults.lost = true;
    r.accept(round(3));
    faults.lost = false;
    faults.dead = true;
    r.accept(round(4));
    assertThat(atLeader).as("dropped, then no network").hasSize(2);
    assertThat(r.lastError()).contains("network unreachable");
    assertThat(r.sent()).isEqualTo(2);
  }

  @Test
  void aRefusalIsNotRetriedElsewhereAndNoServiceMeansNotSent() throws Exception {
    List<Received> refusing = new CopyOnWriteArrayList<>();
    List<Received> other = new CopyOnWriteArrayList<>();
    URI a = replica(401, null, refusing);
    URI b = replica(200, null, other);
    ServiceWatchdogReporter r = new ServiceWatchdogReporter("m8", "bad", List.of(a, b),
        AgentFaults.NONE, Duration.ofSeconds(5));
    r.accept(round(1));
    assertThat(r.sent()).isZero();
    assertThat(r.lastError()).contains("refused by " + a + "/: HTTP 401");
    assertThat(other).as("a 4xx is the same everywhere").isEmpty();

    ServiceWatchdogReporter none = new ServiceWatchdogReporter("m8", "t",
        List.of(URI.create("http://127.0.0.1:" + LocalCluster.freePort())), AgentFaults.NONE,
        Duration.ofSeconds(5));
    none.accept(round(1));
    assertThat(none.sent()).isZero();
    assertThat(none.lastError()).startsWith("watchdog report not taken: http://127.0.0.1:");
  }
}
