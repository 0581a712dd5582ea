package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.server.DmConfig;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A replica whose data directory has less free space than its reserve refuses writes, saying
 * why, and keeps serving reads. The condition is injected honestly: the reserve
 * ({@code storage.minFreeBytes}) is set above the space this disk has, rather than the disk being
 * filled; {@code SmallFileSystemTest} fills a real small file system.
 */
class DiskReserveTest {
  @TempDir Path dir;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> post(String api, String token, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(api + "/commands"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String api, String token, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(api + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String register(String id) {
    return "{\"type\":\"RegisterMachine\",\"machine\":\"" + id + "\",\"address\":\"127.0.0.1:22\","
        + "\"hostKeyFingerprint\":\"SHA256:" + id + "\",\"cause\":\"disk test\"}";
  }

  @ParameterizedTest(name = "{0} replicas")
  @ValueSource(ints = {1, 3})
  void belowItsReserveAReplicaRefusesWritesWith503AndTheReasonAndAcceptsThemOnceSpaceIsBack(int n)
      throws Exception {
    try (LocalCluster cluster = LocalCluster.create(dir, n, 0, InstantSource.system())) {
      cluster.reconfigure("dm1", c -> c.withStorage(new DmConfig.Storage(Long.MAX_VALUE))).start();
      String leader = cluster.leader(15_000).orElseThrow().config().id();
      DmServer dm1 = cluster.live().get("dm1");
      String op = cluster.token(Role.OPERATOR);

      HttpResponse<String> refused = post(dm1.apiUrl(), op, register("m1"));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.body()).contains("writes refused, nothing changed", "disk nearly full",
          "bytes free under " + dm1.config().dataDir(), "reserve " + Long.MAX_VALUE);

      JsonNode status = Json.mapper().readTree(get(dm1.apiUrl(), op, "/status").body());
      assertThat(status.at("/replica/writesRefused").asText()).contains("disk nearly full");
      assertThat(status.at("/replica/failure").isNull()).isTrue();
      assertThat(get(dm1.apiUrl(), op, "/machines").statusCode()).as("reads go on").isEqualTo(200);
      assertThat(get(dm1.apiUrl().replace("/api/v1", ""), op, "/metrics").body()).contains("dm_writes_refused{replica=\"dm1\"} 1.0");

      if (n == 3) {
        DmServer dm2 = cluster.live().get("dm2");
        HttpResponse<String> viaDm2 = post(dm2.apiUrl(), op, register("m2"));
        if (leader.equals("dm1")) {
          // the leader's own reserve guards every write, wherever it enters
          assertThat(viaDm2.statusCode()).as(viaDm2.body()).isEqualTo(503);
          assertThat(viaDm2.body()).contains("writes refused by leader dm1", "disk nearly full");
        } else {
          // a follower short of space refuses what enters through it, not the cluster's writes
          assertThat(viaDm2.statusCode()).as(viaDm2.body()).isEqualTo(200);
        }
      }
      HttpResponse<String> m1 = get(cluster.live().get(leader).apiUrl(), op, "/machines/m1?consistent=true");
      assertThat(m1.statusCode()).as("the refused write changed nothing: " + m1.body()).isEqualTo(404);

      cluster.kill("dm1");
      cluster.reconfigure("dm1", c -> c.withStorage(new DmConfig.Storage(0L))).restart("dm1");
      cluster.leader(15_000).orElseThrow();
      HttpResponse<String> accepted = post(cluster.live().get("dm1").apiUrl(), op, register("m1"));
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
      assertThat(Json.mapper().readTree(get(cluster.live().get("dm1").apiUrl(), op, "/status").body())
          .at("/replica/writesRefused").isNull()).isTrue();
    }
  }
}
