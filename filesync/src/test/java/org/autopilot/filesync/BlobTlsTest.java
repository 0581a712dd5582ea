package org.autopilot.filesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.tls.ServerIdentity;
import org.autopilot.tls.ThrowawayCa;
import org.autopilot.tls.TrustBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob servers serving HTTPS only, and both fetchers trusting their CA: real TLS on loopback. */
class BlobTlsTest {
  @TempDir static Path pki;
  @TempDir Path dir;
  static ServerIdentity identity;
  static TrustBundle trust;
  static TrustBundle wrongTrust;

  @BeforeAll
  static void certificates() throws IOException {
    ThrowawayCa ca = ThrowawayCa.create(pki.resolve("ca"), "filesync-test-ca");
    identity = ServerIdentity.load(ca.issue("blobs").pemSettings(), "tls", InstantSource.system());
    trust = TrustBundle.load(ca.caFile(), "caFile");
    wrongTrust = TrustBundle.load(ThrowawayCa.create(pki.resolve("other"), "other-ca").caFile(), "caFile");
  }

  static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aCorruptHttpsReplicaIsDetectedAndAnotherHttpsReplicaServesTheVerifiedFile() throws Exception {
    byte[] payload = data(3 * ContentStore.CHUNK, 3);
    ContentStore rotten = new ContentStore(dir.resolve("rotten"));
    ContentStore healthy = new ContentStore(dir.resolve("healthy"));
    String hash = rotten.put(payload);
    healthy.put(payload);
    try (RandomAccessFile f = new RandomAccessFile(rotten.path(hash).toFile(), "rw")) {
      f.seek(ContentStore.CHUNK + 10);
      f.write(0x55 ^ payload[ContentStore.CHUNK + 10]);
    }
    ContentStore local = new ContentStore(dir.resolve("local"));
    try (BlobServer bad = new BlobServer(rotten, 0, 8).tls(identity).start(0);
         BlobServer good = new BlobServer(healthy, 0, 8).tls(identity).start(0)) {
      assertThat(good.uri().getScheme()).isEqualTo("https");
      BlobFetcher.Result r = new BlobFetcher(local, 0, trust).fetch(hash, List.of(bad.uri(), good.uri()));
      assertThat(r.rejected()).singleElement().asString().contains("chunk 1 is corrupt");
      assertThat(r.bytesBySource().get(good.uri().toString())).isEqualTo(2L * ContentStore.CHUNK);
    }
    assertThat(Files.readAllBytes(local.path(hash))).isEqualTo(payload);
    assertThat(ContentStore.sha256(local.path(hash))).isEqualTo(hash);
  }

  @Test
  void aSwarmFetchFromAnHttpsSeedAndTrackerIsVerified() throws Exception {
    byte[] payload = data(5 * ContentStore.CHUNK + 777, 5);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    ContentStore local = new ContentStore(dir.resolve("swarm-local"));
    try (BlobServer seed = new BlobServer(origin, 0, 8)
            .hostTracker(new Tracker(InstantSource.system(), Duration.ofSeconds(2), Duration.ofMillis(200)))
            .tls(identity).start(0);
         SwarmFetcher fetcher = new SwarmFetcher(local, null, SwarmConfig.defaults(), new Random(7),
             InstantSource.system(), trust)) {
      fetcher.fetch(hash, List.of(seed.uri()));
      assertThat(fetcher.stats().chunksFromSeeds()).isEqualTo(6);
    }
    assertThat(Files.readAllBytes(local.path(hash))).isEqualTo(payload);
  }

  @Test
  void aFetcherTrustingAnotherCaGetsNothingAndSaysWhy() throws Exception {
    ContentStore origin = new ContentStore(dir.resolve("origin2"));
    String hash = origin.put(data(100_000, 9));
    ContentStore local = new ContentStore(dir.resolve("local2"));
    try (BlobServer server = new BlobServer(origin, 0, 8).tls(identity).start(0)) {
      assertThatThrownBy(() -> new BlobFetcher(local, 0, wrongTrust).fetch(hash, List.of(server.uri())))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("PKIX path building failed");
    }
    assertThat(local.has(hash)).isFalse();
  }
}
