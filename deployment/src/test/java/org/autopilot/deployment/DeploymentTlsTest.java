package org.autopilot.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.filesync.BlobFetcher;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.tls.ThrowawayCa;
import org.autopilot.tls.TrustBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment service from its config file with {@code tls} and {@code caFile}, beside a DM
 * serving HTTPS: git ingest talks to the DM and uploads to the replica over TLS, and a blob
 * uploaded over TLS is fetched back over TLS and verified against its hash.
 */
class DeploymentTlsTest {
  @TempDir Path dir;

  @Test
  void aServiceWithTlsIngestsThroughTheDmAndServesVerifiedBlobsOverHttps() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "deploy-test-ca");
    ThrowawayCa.Issued dmCert = ca.issue("dm");
    ThrowawayCa.Issued deployCert = ca.issue("deploy");
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    try (LocalCluster dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system(),
            dmCert.pemSettings()).start();
        GitRepo repo = new GitRepo(dir.resolve("repo"))) {
      dm.leader(10_000).orElseThrow();
      DmClient admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), trust, new Random(1),
          Duration.ofSeconds(10), 3);
      admin.send(new DefineMachineType("web", null, "setup"));
      repo.manifest("web", "1", "web", "exec sleep 600", "1s").commit("v1");
      Files.writeString(dir.resolve("dm-token"), dm.token(org.autopilot.devicemanager.api.SatelliteService.DEPLOYMENT));
      Files.writeString(dir.resolve("upload-token"), "up");
      int port = LocalCluster.freePort();
      Path config = Files.writeString(dir.resolve("deployment.yaml"), """
          id: d1
          dataDir: d1-data
          port: %d
          uploadTokenSha256: %s
          uploadTokenFile: upload-token
          dmUrls: [%s]
          dmTokenFile: dm-token
          git: {url: "%s", pollInterval: 1s}
          tls: {certificate: pki/deploy.pem, privateKey: pki/deploy.key}
          caFile: pki/ca.pem
          """.formatted(port, TokenAuthenticator.sha256("up"), dm.apiUrls().get(0), repo.dir()));
      assertThat(dm.apiUrls().get(0)).startsWith("https://");
      try (DeploymentService s = DeploymentService.start(config)) {
        assertThat(s.uri().toString()).isEqualTo("https://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (admin.manifest(ManifestRef.parse("web@1")).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(admin.manifest(ManifestRef.parse("web@1"))).as("ingested over TLS").isPresent();

        byte[] payload = new byte[3 * ContentStore.CHUNK + 99];
        new Random(3).nextBytes(payload);
        Path file = Files.write(dir.resolve("payload.bin"), payload);
        String hash = ContentStore.sha256(file);
        new DeploymentClient(List.of(s.uri()), "up", new Random(1), trust).upload(hash, file);
        ContentStore local = new ContentStore(dir.resolve("machine-store"));
        BlobFetcher.Result r = new BlobFetcher(local, 0, trust).fetch(hash, List.of(s.uri()));
        assertThat(r.bytesBySource()).containsEntry(s.uri().toString(), (long) payload.length);
        assertThat(ContentStore.sha256(local.path(hash))).isEqualTo(hash);
      }
      admin.close();
    }
  }

  @Test
  void aKeyThatIsNotAKeyStopsTheServiceNamingBothFiles() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "deploy-test-ca");
    ca.issue("deploy");
    Path config = Files.writeString(dir.resolve("deployment.yaml"), """
        id: d1
        dataDir: d1-data
        port: %d
        tls: {certificate: pki/deploy.pem, privateKey: pki/deploy.pem}
        """.formatted(LocalCluster.freePort()));
    assertThatThrownBy(() -> DeploymentService.start(config))
        .hasMessageContaining("deployment.yaml")
        .hasMessageContaining("tls.privateKey " + dir.resolve("pki/deploy.pem"))
        .hasMessageContaining("no private key (-----BEGIN PRIVATE KEY-----)");
  }
}
