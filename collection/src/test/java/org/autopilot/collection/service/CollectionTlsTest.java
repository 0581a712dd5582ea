package org.autopilot.collection.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.autopilot.collection.ManualClock;
import org.autopilot.collection.client.CollectionClient;
import org.autopilot.collection.model.Counter;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.tls.ThrowawayCa;
import org.autopilot.tls.TlsSettings;
import org.autopilot.tls.TrustBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collection service serving HTTPS only: a machine's batch in and Cockpit's kind of read out, over real TLS. */
class CollectionTlsTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  @TempDir Path dir;
  final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
  final String viewer = TokenAuthenticator.newToken(new SecureRandom());

  CollectionServiceConfig config(TlsSettings tls) {
    return CollectionServiceConfig.of("c1", "127.0.0.1", 0, DatabaseConfig.h2(dir.resolve("db")), secret,
        List.of(new TokenAuthenticator.TokenEntry("cockpit", Role.VIEWER, TokenAuthenticator.sha256(viewer))))
        .withTls(tls);
  }

  @Test
  void batchesGoInAndQueriesComeOutOverHttps() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "collection-test-ca");
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    try (CollectionService service = CollectionService.start(config(ca.issue("c1").pemSettings()),
        new ManualClock(NOW))) {
      assertThat(service.url()).startsWith("https://127.0.0.1:");
      String token = TokenAuthenticator.machineToken(HexFormat.of().parseHex(secret), "m1");
      HttpResponse<String> r = TrustBundle.httpClient(trust).build().send(HttpRequest.newBuilder(
              URI.create(service.url() + "/api/v1/ingest"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(CollectionServiceTest.batch("m1", NOW.toEpochMilli() - 60_000),
              StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      List<Counter> counters = new CollectionClient(service.url(), viewer, trust).counters("m1");
      assertThat(counters).extracting(Counter::counter).contains("os.cpu.busy_pct", "app.restarts");
    }
  }

  @Test
  void aMissingKeyFileStopsTheStartNamingIt() {
    Path cert = dir.resolve("nope.pem");
    assertThatThrownBy(() -> CollectionService.start(config(TlsSettings.pem(cert, dir.resolve("k.pem"))),
        new ManualClock(NOW)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tls.certificate " + cert + ": no such file");
    assertThat(dir.resolve("db.mv.db")).doesNotExist();
  }
}
