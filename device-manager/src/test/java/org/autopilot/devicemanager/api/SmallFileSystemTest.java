package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.api.DiskReserveTest.get;
import static org.autopilot.devicemanager.api.DiskReserveTest.post;
import static org.autopilot.devicemanager.api.DiskReserveTest.register;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.server.DmConfig;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica on a real, small file system (a 24 MiB tmpfs mounted for the test, which needs
 * root; skipped where mounting is not allowed) that really fills up: first below its reserve,
 * then to the last byte, where Ratis' own log writer hits ENOSPC.
 */
@EnabledOnOs(OS.LINUX)
class SmallFileSystemTest {
  @TempDir Path dir;
  Path mount;
  LocalCluster cluster;

  @BeforeEach
  void mountSmallFileSystem() throws Exception {
    mount = dir.resolve("small");
    Files.createDirectories(mount);
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    boolean done = p.waitFor(20, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes());
    Assumptions.assumeTrue(done && p.exitValue() == 0,
        "cannot mount a tmpfs here (needs root): " + out.strip());
  }

  @AfterEach
  void unmount() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    for (int i = 0; i < 10; i++) {
      Process p = new ProcessBuilder("umount", mount.toString()).redirectErrorStream(true).start();
      if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return;
      }
      Thread.sleep(200);
    }
    new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor(20, TimeUnit.SECONDS);
  }

  /** Fills the file system with a ballast file until at most {@code leave} bytes are free. */
  static Path ballast(Path mount, long leave) throws IOException {
    Path file = mount.resolve("ballast");
    byte[] chunk = new byte[64 << 10];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < 10_000 && Files.getFileStore(mount).getUsableSpace() > leave; i++) {
        long room = Files.getFileStore(mount).getUsableSpace() - leave;
        out.write(chunk, 0, (int) Math.min(chunk.length, Math.max(room, 1)));
        out.flush();
      }
    } catch (IOException full) {
      // ENOSPC: as full as it gets
    }
    return file;
  }

  LocalCluster oneReplica(long minFreeBytes) throws IOException {
    cluster = LocalCluster.create(mount.resolve("dm"), 1, 0, InstantSource.system());
    cluster.reconfigure("dm1", c -> new DmConfig(c.id(), c.dataDir(), c.peers(),
        new DmConfig.Raft(null, null, 1_000_000L, 65_536L), c.batch(), c.eventRetention(),
        c.tokens(), c.machineSecret(), c.tls(), new DmConfig.Storage(minFreeBytes)));
    return cluster.start();
  }

  @Test
  void fillingTheDiskBelowTheReserveRefusesWritesAndFreeingItAcceptsThemAgain() throws Exception {
    oneReplica(12L << 20);
    DmServer dm1 = cluster.leader(15_000).orElseThrow();
    String op = cluster.token(Role.OPERATOR);
    assertThat(post(dm1.apiUrl(), op, register("before")).statusCode()).isEqualTo(200);

    Path ballast = ballast(mount, 6L << 20);
    var refused = post(dm1.apiUrl(), op, register("during"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("disk nearly full", "reserve " + (12L << 20));
    assertThat(get(dm1.apiUrl(), op, "/machines/during").statusCode()).isEqualTo(404);
    assertThat(get(dm1.apiUrl(), op, "/machines/before").statusCode()).as("reads go on").isEqualTo(200);

    Files.delete(ballast);
    Thread.sleep(100); // the free space is measured at most every 50 ms
    var accepted = post(dm1.apiUrl(), op, register("after"));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
  }

  @Test
  void aRealFullDiskUnderRatisLogWriterMakesTheReplicaReportItselfFailed() throws Exception {
    oneReplica(0);
    DmServer dm1 = cluster.leader(15_000).orElseThrow();
    String op = cluster.token(Role.OPERATOR);
    assertThat(post(dm1.apiUrl(), op, register("before")).statusCode()).isEqualTo(200);
    ballast(mount, 0);

    int status = 200;
    String body = "";
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      batch.append(i == 0 ? "" : ",").append(register("x" + i + "-" + "y".repeat(40)));
    }
    for (int round = 0; round < 200 && status == 200; round++) {
      var r = post(dm1.apiUrl(), op, batch.toString().replace("\"x", "\"r" + round + "x") + "]");
      status = r.statusCode();
      body = r.body();
    }
    assertThat(status).as("a write answered, not hung: " + body).isEqualTo(503);

    JsonNode replica = null;
    for (int i = 0; i < 100; i++) {
      replica = Json.mapper().readTree(get(dm1.apiUrl(), op, "/status").body()).get("replica");
      if ("FAILED".equals(replica.get("role").asText())) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(replica.get("role").asText()).isEqualTo("FAILED");
    assertThat(replica.get("failure").asText()).contains("No space left on device");
    var healthz = DiskReserveTest.HTTP.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(dm1.apiUrl().replace("/api/v1", "") + "/healthz")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(healthz.statusCode()).isEqualTo(503);
    assertThat(healthz.body()).startsWith("failed: ");
    var read = get(dm1.apiUrl(), op, "/machines");
    assertThat(read.statusCode()).isEqualTo(503);
    assertThat(read.body()).contains("has failed and serves nothing");
    var write = post(dm1.apiUrl(), op, register("afterwards"));
    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.body()).contains("has failed");
  }

  /**
   * Three replicas, dm1's data on the small file system: when that fills, dm1 fails and leaves,
   * and the two others go on accepting writes (dm1 may have been the leader or a follower).
   */
  @Test
  void inThreeReplicasTheMemberWhoseDiskFillsFailsAndTheOthersGoOn() throws Exception {
    cluster = LocalCluster.create(dir.resolve("cluster"), 3, 0, InstantSource.system());
    cluster.reconfigure("dm1", c -> new DmConfig(c.id(), mount.resolve("dm1"), c.peers(),
        new DmConfig.Raft(null, null, 1_000_000L, 65_536L), c.batch(), c.eventRetention(),
        c.tokens(), c.machineSecret(), c.tls(), new DmConfig.Storage(0L)));
    cluster.start();
    cluster.leader(15_000).orElseThrow();
    String op = cluster.token(Role.OPERATOR);
    DmServer dm1 = cluster.live().get("dm1");
    DmServer dm2 = cluster.live().get("dm2");
    assertThat(post(dm2.apiUrl(), op, register("before")).statusCode()).isEqualTo(200);
    ballast(mount, 0);

    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 100; i++) {
      batch.append(i == 0 ? "" : ",").append(register("x" + i + "-" + "y".repeat(40)));
    }
    boolean failed = false;
    for (int round = 0; round < 300 && !failed; round++) {
      post(dm2.apiUrl(), op, batch.toString().replace("\"x", "\"r" + round + "x") + "]");
      failed = dm1.replica().failure().isPresent();
    }
    assertThat(dm1.replica().failure()).as("dm1 failed").hasValueSatisfying(
        f -> assertThat(f).contains("No space left on device"));

    int status = 0;
    String body = "";
    for (int i = 0; i < 150 && status != 200; i++) {
      var r = post(dm2.apiUrl(), op, register("after"));
      status = r.statusCode();
      body = r.body();
      if (status != 200) {
        Thread.sleep(100);
      }
    }
    assertThat(status).as("a write through dm2 after dm1 failed: " + body).isEqualTo(200);
    var after = get(cluster.live().get("dm3").apiUrl(), op, "/machines/after?consistent=true");
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
  }
}
