package org.autopilot.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.filesync.BlobFetcher;
import org.autopilot.filesync.ContentStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real deployment server replicas on loopback. */
class DeploymentServerTest {
  static final String TOKEN = "upload-secret";
  @TempDir Path dir;
  DeploymentServer a;
  DeploymentServer b;
  URI ua;
  URI ub;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    int pa = LocalCluster.freePort();
    int pb = LocalCluster.freePort();
    ua = URI.create("http://127.0.0.1:" + pa);
    ub = URI.create("http://127.0.0.1:" + pb);
    String hash = TokenAuthenticator.sha256(TOKEN);
    a = new DeploymentServer(new DeploymentConfig("a", dir.resolve("a"), pa, List.of(ub), 0, 4,
        4 << 20, hash, Duration.ofHours(1)), new Random(1)).start();
    b = new DeploymentServer(new DeploymentConfig("b", dir.resolve("b"), pb, List.of(ua), 0, 4,
        4 << 20, hash, Duration.ofHours(1)), new Random(2)).start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
  }

  Path file(String name, int size) throws Exception {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return Files.write(dir.resolve(name), data);
  }

  static String sha(Path f) throws Exception {
    ContentStore tmp = new ContentStore(Files.createTempDirectory(f.getParent(), "h"));
    return tmp.put(Files.newInputStream(f));
  }

  int get(URI base, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void aMissingBlobIsAnswered404AtOnceAndFilledFromAPeerInTheBackground() throws Exception {
    Path f = file("app.bin", 3 << 20);
    String h = sha(f);
    assertThat(new DeploymentClient(List.of(ua), TOKEN, new Random(1)).upload(h, f)).isEqualTo(ua);
    assertThat(b.store().has(h)).isFalse();

    assertThat(get(ub, "/blobs/" + h)).isEqualTo(404);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!b.store().has(h) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(b.store().has(h)).isTrue();
    assertThat(get(ub, "/blobs/" + h)).isEqualTo(200);
  }

  @Test
  void antiEntropyCopiesWhatAPeerHolds() throws Exception {
    Path f1 = file("one", 1000);
    Path f2 = file("two", 2000);
    DeploymentClient toA = new DeploymentClient(List.of(ua), TOKEN, new Random(1));
    toA.upload(sha(f1), f1);
    toA.upload(sha(f2), f2);

    assertThat(b.syncOnce()).isEqualTo(2);
    assertThat(b.store().hashes()).containsExactlyInAnyOrderElementsOf(a.store().hashes());
    assertThat(b.syncOnce()).isZero();
  }

  @Test
  void aMachineFallsBackToAnotherReplicaWhenOneIsDown() throws Exception {
    Path f = file("x", 1 << 20);
    String h = sha(f);
    new DeploymentClient(List.of(ua, ub), TOKEN, new Random(3)).upload(h, f);
    a.syncOnce();
    b.syncOnce();
    a.close();

    ContentStore machine = new ContentStore(dir.resolve("machine"));
    BlobFetcher.Result r = new BlobFetcher(machine, 0).fetch(h, List.of(ua, ub));
    assertThat(machine.has(h)).isTrue();
    assertThat(r.bytesBySource()).containsOnlyKeys(ub.toString());
    assertThat(r.rejected()).singleElement().asString().startsWith(ua.toString());
  }

  @Test
  void badUploadsAreRefusedAndKeepNothing() throws Exception {
    Path f = file("y", 5000);
    String wrong = "0".repeat(64);
    assertThatThrownBy(() -> new DeploymentClient(List.of(ua), TOKEN, new Random(1)).upload(wrong, f))
        .hasMessageContaining("not " + wrong);
    assertThatThrownBy(() -> new DeploymentClient(List.of(ua), "guess", new Random(1)).upload(sha(f), f))
        .hasMessageContaining("upload token");
    Path big = file("big", (4 << 20) + 1);
    assertThatThrownBy(() -> new DeploymentClient(List.of(ua), TOKEN, new Random(1)).upload(sha(big), big))
        .hasMessageContaining("more than");
    assertThat(a.store().hashes()).isEmpty();
    assertThat(get(ua, "/blobs/..%2F..%2Fetc%2Fpasswd")).isIn(400, 404);
  }
}
