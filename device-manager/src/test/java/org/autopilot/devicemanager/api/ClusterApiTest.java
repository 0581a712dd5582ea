package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three replicas behind the HTTP API: every replica serves, writes reach the leader. */
class ClusterApiTest {
  @TempDir Path dir;

  static RegisterMachine reg(String id) {
    return new RegisterMachine(MachineId.of(id), "127.0.0.1:22", "SHA256:" + id, null, null, null,
        null, "cluster api test");
  }

  @Test
  void aFollowerForwardsWritesAndServesLinearizableReads() throws Exception {
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      DmServer leader = cluster.leader(15_000).orElseThrow();
      DmServer follower = cluster.live().values().stream()
          .filter(s -> s != leader).findFirst().orElseThrow();
      DmClient viaFollower = new DmClient(List.of(follower.apiUrl()), cluster.token(Role.OPERATOR),
          new Random(3), Duration.ofSeconds(10), 1);

      assertThat(viaFollower.send(reg("f1")).accepted()).isTrue();
      assertThat(viaFollower.status().at("/replica/leader").asText()).isEqualTo(leader.config().id());
      assertThat(viaFollower.status().get("leaderApi").asText())
          .isEqualTo(leader.config().peers().get(leader.config().id()).api());
      assertThat(viaFollower.allMachines(Map.of("consistent", "true")))
          .extracting(m -> m.id().value()).contains("f1");
      viaFollower.close();
    }
  }

  @Test
  void writesResumeThroughTheClientWhenTheLeaderDies() throws Exception {
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      DmServer leader = cluster.leader(15_000).orElseThrow();
      DmClient client = new DmClient(cluster.apiUrls(), cluster.token(Role.OPERATOR),
          new Random(4), Duration.ofSeconds(10), 8);
      client.refreshLeader();
      assertThat(client.send(reg("before")).accepted()).isTrue();

      cluster.kill(leader.config().id());

      assertThat(client.send(reg("after")).accepted()).isTrue();
      assertThat(client.allMachines(Map.of("consistent", "true")))
          .extracting(m -> m.id().value()).contains("before", "after");
      client.close();
    }
  }

  @Test
  void aConsistentReadWithoutAMajorityIsRefusedAs503NotAnInternalError() throws Exception {
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      DmServer leader = cluster.leader(15_000).orElseThrow();
      DmServer survivor = cluster.live().values().stream().filter(s -> s != leader).findFirst().orElseThrow();
      for (String id : List.copyOf(cluster.live().keySet())) {
        if (!id.equals(survivor.config().id())) {
          cluster.kill(id);
        }
      }
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(survivor.apiUrl() + "/machines?consistent=true"))
              .header("Authorization", "Bearer " + cluster.token(Role.VIEWER))
              .timeout(Duration.ofSeconds(60)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(r.body()).contains("no consistent read now", "retry");
    }
  }
}
