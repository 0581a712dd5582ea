package org.autopilot.devicemanager.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.tls.Https;
import org.autopilot.tls.ThrowawayCa;
import org.autopilot.tls.TlsConfigException;
import org.autopilot.tls.TlsSettings;
import org.autopilot.tls.TrustBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real DM replica serving its API over real TLS on loopback, with a certificate from a
 * throwaway CA, and the client library trusting that CA through {@code caFile}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DmTlsTest {
  Path dir;
  ThrowawayCa ca;
  ThrowawayCa otherCa;
  ThrowawayCa.Issued cert;
  LocalCluster cluster;
  String base;

  @BeforeAll
  void boot(@TempDir Path dir) throws Exception {
    this.dir = dir;
    ca = ThrowawayCa.create(dir.resolve("pki"), "dm-test-ca");
    otherCa = ThrowawayCa.create(dir.resolve("other-pki"), "impostor-ca");
    cert = ca.issue("dm");
    cluster = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system(), cert.pemSettings()).start();
    cluster.leader(10_000).orElseThrow();
    base = cluster.apiUrls().get(0);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  DmClient client(Path caFile, int attempts) throws TlsConfigException {
    return new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN), TrustBundle.load(caFile, "caFile"),
        new Random(1), Duration.ofSeconds(10), attempts);
  }

  @Test
  void theClientTrustingTheCaWritesReadsAndWatchesOverHttps() throws Exception {
    assertThat(base).startsWith("https://127.0.0.1:");
    try (DmClient admin = client(ca.caFile(), 3)) {
      long index = admin.watch(0, Duration.ZERO);
      // a blocking watch held open over TLS, woken by a write made over TLS
      CompletableFuture<Long> watch = admin.watchAsync(index, Duration.ofSeconds(30));
      admin.sendAll(List.of(new DefineMachineType("web", null, "setup"), new DefineScaleUnit("su-1", "setup")));
      assertThat(admin.send(new RegisterMachine(MachineId.of("tls-1"), "127.0.0.1:2200", "SHA256:x", "web",
          "su-1", "r1", null, "test")).accepted()).isTrue();
      assertThat(watch.get(20, TimeUnit.SECONDS)).isGreaterThan(index);
      assertThat(admin.machine(MachineId.of("tls-1"))).isPresent();
    }
  }

  @Test
  void aClientTrustingAnotherCaIsRefusedWithAClearMessage() throws Exception {
    try (DmClient impostor = client(otherCa.caFile(), 1)) {
      assertThatThrownBy(() -> impostor.machine(MachineId.of("tls-1")))
          .isInstanceOf(DmClientException.class)
          .hasMessageContaining("TLS handshake failed")
          .hasMessageContaining("PKIX path building failed");
    }
  }

  @Test
  void plainHttpToTheTlsPortIsRefusedSayingWhy() throws Exception {
    String plain = base.replace("https://", "http://") + "/status";
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(plain))
            .header("Authorization", "Bearer " + cluster.token(Role.ADMIN)).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains(Https.PLAIN_REFUSED).doesNotContain("leader");
    // and the plain client library gets the same refusal, not an answer
    try (DmClient plainClient = new DmClient(List.of(base.replace("https://", "http://")),
        cluster.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 1)) {
      assertThatThrownBy(() -> plainClient.machine(MachineId.of("tls-1")))
          .isInstanceOf(DmClientException.class).hasMessageContaining("HTTP 400");
    }
  }

  @Test
  void aBadCertificateFileStopsTheReplicaAtStartupNamingTheFile() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
        + "-----END CERTIFICATE-----\n");
    Path yaml = Files.writeString(dir.resolve("dm.yaml"), """
        id: dm1
        dataDir: bad-data
        peers:
          dm1: {raft: "127.0.0.1:1", api: "https://127.0.0.1:0"}
        tokens:
          - {name: alice, role: admin, sha256: %s}
        tls: {certificate: broken.pem, privateKey: %s}
        """.formatted("ab".repeat(32), cert.key()));
    DmConfig config = DmConfig.load(yaml);
    assertThat(config.tls().certificate()).isEqualTo(broken);
    assertThatThrownBy(() -> DmServer.start(config, InstantSource.system()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessageStartingWith("tls.certificate " + broken + ": certificate 1 is not a valid X.509 certificate");
    assertThat(dir.resolve("bad-data")).doesNotExist();
  }

  @Test
  void theConfigRefusesAnHttpUrlWithTlsAndAnHttpsUrlWithout() throws Exception {
    String head = "id: dm1\ndataDir: d\ntokens:\n  - {name: a, role: admin, sha256: " + "ab".repeat(32) + "}\n";
    Path withTls = Files.writeString(dir.resolve("a.yaml"), head
        + "peers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\"}\n"
        + "tls: {certificate: c.pem, privateKey: k.pem}\n");
    assertThatThrownBy(() -> DmConfig.load(withTls)).hasMessageContaining("a.yaml")
        .hasMessageContaining("peers.dm1.api must be an https:// URL when tls is configured");
    Path withoutTls = Files.writeString(dir.resolve("b.yaml"), head
        + "peers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"https://127.0.0.1:7101\"}\n");
    assertThatThrownBy(() -> DmConfig.load(withoutTls)).hasMessageContaining("b.yaml")
        .hasMessageContaining("peers.dm1.api is https:// but no tls");
    Path half = Files.writeString(dir.resolve("c.yaml"), head
        + "peers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"https://127.0.0.1:7101\"}\n"
        + "tls: {certificate: c.pem}\n");
    assertThatThrownBy(() -> DmConfig.load(half)).hasMessageContaining("c.yaml")
        .hasMessageContaining("tls: privateKey is missing");
    assertThat(TlsSettings.pem(Path.of("x"), Path.of("y")).resolve(dir).certificate()).isEqualTo(dir.resolve("x"));
  }
}
