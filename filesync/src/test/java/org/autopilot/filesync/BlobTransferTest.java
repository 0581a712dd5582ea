package org.autopilot.filesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real HTTP transfers on loopback between content stores on disk. */
class BlobTransferTest {
  @TempDir Path dir;

  static byte[] data(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static URI uri(BlobServer s) {
    return URI.create("http://127.0.0.1:" + s.port());
  }

  @Test
  void aBlobIsFetchedVerifiedAndStoredUnderItsHash() throws Exception {
    byte[] payload = data(3 * ContentStore.CHUNK + 12_345, 1);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    ContentStore local = new ContentStore(dir.resolve("local"));
    try (BlobServer server = new BlobServer(origin, 0, 8).start(0)) {
      BlobFetcher.Result r = new BlobFetcher(local, 0).fetch(hash, List.of(uri(server)));
      assertThat(r.size()).isEqualTo(payload.length);
      assertThat(r.bytesBySource().get(uri(server).toString())).isEqualTo(payload.length);
    }
    assertThat(Files.readAllBytes(local.path(hash))).isEqualTo(payload);
    assertThat(local.chunks(hash)).isEqualTo(origin.chunks(hash));
  }

  @Test
  void anInterruptedTransferResumesWhereTheVerifiedDataEnds() throws Exception {
    byte[] payload = data(4 * ContentStore.CHUNK, 2);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    ContentStore local = new ContentStore(dir.resolve("local"));
    BlobFetcher fetcher = new BlobFetcher(local, 0);
    try (BlobServer server = new BlobServer(origin, 0, 8).start(0)) {
      server.failAfter(ContentStore.CHUNK + ContentStore.CHUNK / 2);
      assertThatThrownBy(() -> fetcher.fetch(hash, List.of(uri(server))))
          .isInstanceOf(IOException.class).hasMessageContaining("could not fetch");
      assertThat(Files.size(local.partial(hash))).as("the verified first chunk is kept")
          .isEqualTo(ContentStore.CHUNK);

      server.failAfter(-1);
      BlobFetcher.Result r = fetcher.fetch(hash, List.of(uri(server)));
      assertThat(r.bytesBySource().get(uri(server).toString()))
          .as("only the rest was transferred").isEqualTo(3L * ContentStore.CHUNK);
    }
    assertThat(Files.readAllBytes(local.path(hash))).isEqualTo(payload);
  }

  @Test
  void aCorruptReplicaIsDetectedAndAnotherServesTheFile() throws Exception {
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
    try (BlobServer bad = new BlobServer(rotten, 0, 8).start(0);
         BlobServer good = new BlobServer(healthy, 0, 8).start(0)) {
      BlobFetcher.Result r = new BlobFetcher(local, 0).fetch(hash, List.of(uri(bad), uri(good)));
      assertThat(r.rejected()).singleElement().asString().contains("chunk 1 is corrupt");
      assertThat(r.bytesBySource().get(uri(good).toString())).isEqualTo(2L * ContentStore.CHUNK);
    }
    assertThat(Files.readAllBytes(local.path(hash))).isEqualTo(payload);
  }

  @Test
  void aServerThatIsDownIsSkipped() throws Exception {
    byte[] payload = data(100_000, 4);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    ContentStore local = new ContentStore(dir.resolve("local"));
    try (BlobServer server = new BlobServer(origin, 0, 8).start(0)) {
      BlobFetcher.Result r = new BlobFetcher(local, 0)
          .fetch(hash, List.of(URI.create("http://127.0.0.1:1"), uri(server)));
      assertThat(r.rejected()).hasSize(1);
      assertThat(local.has(hash)).isTrue();
    }
  }

  @Test
  void namesThatAreNotHashesAreRefused() throws Exception {
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    try (BlobServer server = new BlobServer(origin, 0, 8).start(0)) {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.port() + "/blobs/..%2F..%2Fetc%2Fpasswd")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isIn(400, 404);
      assertThat(r.body()).doesNotContain("root:");
    }
    assertThatThrownBy(() -> new BlobFetcher(origin, 0).fetch("../x", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SHA-256");
  }
}
