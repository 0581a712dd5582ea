package org.autopilot.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment service started from its config file, ingesting a real repository. */
class DeploymentServiceTest {
  @TempDir Path dir;

  @Test
  void aConfiguredServiceServesIngestsAndDrives() throws Exception {
    try (LocalCluster dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
        GitRepo repo = new GitRepo(dir.resolve("repo"))) {
      dm.leader(10_000).orElseThrow();
      DmClient admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
      admin.send(new DefineMachineType("web", null, "setup"));
      repo.manifest("web", "1", "web", "exec sleep 600", "1s").commit("v1");
      Files.writeString(dir.resolve("dm-token"), dm.token(org.autopilot.devicemanager.api.SatelliteService.DEPLOYMENT));
      Files.writeString(dir.resolve("upload-token"), "up");
      Path config = Files.writeString(dir.resolve("deployment.yaml"), """
          id: d1
          dataDir: d1-data
          port: %d
          uploadTokenSha256: %s
          uploadTokenFile: upload-token
          dmUrls: [%s]
          dmTokenFile: dm-token
          git: {url: "%s", pollInterval: 1s}
          driveRollouts: true
          """.formatted(LocalCluster.freePort(), TokenAuthenticator.sha256("up"), dm.apiUrls().get(0),
          repo.dir()));
      try (DeploymentService s = DeploymentService.start(config)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (admin.manifest(ManifestRef.parse("web@1")).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(admin.manifest(ManifestRef.parse("web@1"))).isPresent();
        assertThat(admin.leases()).extracting(l -> l.service())
            .contains("deployment-ingest", "rollout-driver");
      }
      admin.close();
    }
  }

  @Test
  void aMistakeInTheFileNamesTheFileAndKey() throws Exception {
    Path config = Files.writeString(dir.resolve("bad.yaml"), "id: d1\ndataDir: x\nport: 1\nprot: 2\n");
    assertThatThrownBy(() -> DeploymentService.start(config)).hasMessageContaining("bad.yaml")
        .hasMessageContaining("prot");
  }
}
