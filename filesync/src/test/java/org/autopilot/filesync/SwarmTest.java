package org.autopilot.filesync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Swarms of real blob servers and fetchers on loopback, each with its own store on disk. */
class SwarmTest {
  static final int MIB = ContentStore.CHUNK;
  static final SwarmConfig CONFIG = SwarmConfig.defaults()
      .withAnnounceInterval(Duration.ofMillis(200))
      .withTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(20));
  @TempDir Path dir;
  final List<AutoCloseable> open = Collections.synchronizedList(new ArrayList<>());
  final ExecutorService threads = Executors.newCachedThreadPool();

  /** A host: a store, the server on it, a fetcher into it. */
  record Agent(ContentStore store, BlobServer server, SwarmFetcher fetcher) {
    Future<BlobFetcher.Result> fetch(ExecutorService threads, String hash, URI seed) {
      return threads.submit(() -> fetcher.fetch(hash, List.of(seed)));
    }

    int held(String hash) {
      return store.assembling(hash).map(p -> p.held().cardinality()).orElse(0);
    }

    void kill() {
      server.close();
      fetcher.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    threads.shutdownNow();
    List<AutoCloseable> all = new ArrayList<>(open);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      c.close();
    }
  }

  <T extends AutoCloseable> T closing(T c) {
    open.add(c);
    return c;
  }

  BlobServer seed(ContentStore store, long cap, int maxConcurrent) {
    return closing(new BlobServer(store, cap, maxConcurrent)
        .hostTracker(new Tracker(InstantSource.system(), Duration.ofSeconds(2), Duration.ofMillis(200)))
        .start(0));
  }

  Agent agent(String name, long cap, long seed) throws Exception {
    ContentStore store = new ContentStore(dir.resolve(name));
    BlobServer server = closing(new BlobServer(store, cap, 8).start(0));
    return new Agent(store, server, closing(new SwarmFetcher(store, server, CONFIG.withDownlink(cap), new Random(seed))));
  }

  static void assertHolds(ContentStore store, String hash, byte[] payload) throws Exception {
    assertThat(store.has(hash)).isTrue();
    assertThat(Files.readAllBytes(store.path(hash))).isEqualTo(payload);
  }

  @Test
  void agentsFetchFromEachOtherSoTheSeedSendsFarLessThanOneCopyEach() throws Exception {
    byte[] payload = BlobTransferTest.data(12 * MIB + 777, 10);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 4 * MIB, 8);
    List<Agent> agents = new ArrayList<>();
    List<Future<BlobFetcher.Result>> fetches = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      agents.add(agent("agent" + i, 4 * MIB, i));
    }
    for (Agent a : agents) {
      fetches.add(a.fetch(threads, hash, seed.uri()));
    }

    long fromPeers = 0;
    for (Future<BlobFetcher.Result> f : fetches) {
      BlobFetcher.Result r = f.get(120, TimeUnit.SECONDS);
      assertThat(r.size()).isEqualTo(payload.length);
      assertThat(r.bytesBySource().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(payload.length);
      fromPeers += payload.length - r.bytesBySource().getOrDefault(seed.uri().toString(), 0L);
    }
    for (Agent a : agents) {
      assertHolds(a.store(), hash, payload);
    }
    assertThat(seed.bytesSent()).as("the seed sent about one copy, not one per agent")
        .isLessThan(2L * payload.length);
    assertThat(fromPeers).isEqualTo(5L * payload.length - seed.bytesSent());
  }

  @Test
  void aPeerServingCorruptChunksIsBannedAndTheChunkComesFromElsewhere() throws Exception {
    byte[] payload = BlobTransferTest.data(6 * MIB, 11);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 0, 8);
    Agent rotten = agent("rotten", 0, 1);
    rotten.store().put(payload);
    try (RandomAccessFile f = new RandomAccessFile(rotten.store().path(hash).toFile(), "rw")) {
      f.seek(2L * MIB + 5);
      f.write(0x55 ^ payload[2 * MIB + 5]);
    }
    rotten.fetcher().share(hash, seed.uri());
    Agent local = agent("local", 0, 2);

    BlobFetcher.Result r = local.fetcher().fetch(hash, List.of(seed.uri()));

    assertThat(r.rejected()).anySatisfy(why -> assertThat(why)
        .startsWith(rotten.server().uri() + ": chunk 2 is corrupt"));
    assertThat(r.bytesBySource().get(seed.uri().toString())).as("chunk 2 at least, from the seed")
        .isGreaterThanOrEqualTo(MIB);
    assertHolds(local.store(), hash, payload);
  }

  @Test
  void aPeerWhoseConnectionsBreakMidChunkIsDroppedAndTheRestComesFromTheSeed() throws Exception {
    byte[] payload = BlobTransferTest.data(6 * MIB, 12);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 0, 8);
    Agent flaky = agent("flaky", 0, 1);
    flaky.store().put(payload);
    flaky.server().failAfter(MIB / 2);
    flaky.fetcher().share(hash, seed.uri());
    Agent local = agent("local", 0, 2);

    BlobFetcher.Result r = local.fetcher().fetch(hash, List.of(seed.uri()));

    assertThat(r.rejected()).anySatisfy(why -> assertThat(why)
        .startsWith(flaky.server().uri() + ": dropped after " + SwarmDownload.PEER_ERRORS));
    assertThat(r.bytesBySource()).containsOnlyKeys(seed.uri().toString());
    assertHolds(local.store(), hash, payload);
  }

  @Test
  void anAgentDyingMidTransferDoesNotStopTheOthers() throws Exception {
    byte[] payload = BlobTransferTest.data(12 * MIB, 13);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 3 * MIB, 8);
    Agent doomed = agent("doomed", 3 * MIB, 0);
    List<Agent> survivors = List.of(agent("a", 3 * MIB, 1), agent("b", 3 * MIB, 2));
    Future<BlobFetcher.Result> doomedFetch = doomed.fetch(threads, hash, seed.uri());
    List<Future<BlobFetcher.Result>> fetches = new ArrayList<>();
    for (Agent a : survivors) {
      fetches.add(a.fetch(threads, hash, seed.uri()));
    }
    for (int i = 0; i < 3000 && doomed.held(hash) < 3 && !doomedFetch.isDone(); i++) {
      Thread.sleep(10);
    }
    assertThat(doomed.held(hash)).as("it dies half-way").isBetween(3, 11);

    doomed.kill();

    for (Future<BlobFetcher.Result> f : fetches) {
      assertThat(f.get(120, TimeUnit.SECONDS).size()).isEqualTo(payload.length);
    }
    for (Agent a : survivors) {
      assertHolds(a.store(), hash, payload);
    }
  }

  @Test
  void anInterruptedFetchResumesWithoutFetchingVerifiedChunksAgain() throws Exception {
    byte[] payload = BlobTransferTest.data(16 * MIB, 14);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 0, 8);
    ContentStore local = new ContentStore(dir.resolve("local"));
    SwarmFetcher first = closing(new SwarmFetcher(local, null, CONFIG.withDownlink(4 * MIB), new Random(1)));
    AtomicReference<Throwable> ended = new AtomicReference<>();
    Thread fetch = new Thread(() -> {
      try {
        first.fetch(hash, List.of(seed.uri()));
      } catch (Throwable e) {
        ended.set(e);
      }
    });
    fetch.start();
    for (int i = 0; i < 3000 && local.assembling(hash).map(p -> p.held().cardinality()).orElse(0) < 8; i++) {
      Thread.sleep(10);
    }
    fetch.interrupt();
    fetch.join(10_000);
    assertThat(ended.get()).isInstanceOf(InterruptedException.class);
    assertThat(local.has(hash)).isFalse();
    int kept;
    try (PartialBlob left = PartialBlob.open(hash, origin.chunks(hash), local.sparse(hash), local.io())) {
      kept = left.held().cardinality();
    }
    assertThat(kept).as("verified chunks survive the interruption").isBetween(8, 15);

    SwarmFetcher restarted = closing(new SwarmFetcher(local, null, CONFIG, new Random(2)));
    BlobFetcher.Result r = restarted.fetch(hash, List.of(seed.uri()));

    assertThat(r.bytesBySource().get(seed.uri().toString())).isEqualTo((16L - kept) * MIB);
    assertHolds(local, hash, payload);
  }

  @Test
  void aBusySeedIsAskedAgainLaterNotGivenUpOn() throws Exception {
    byte[] payload = BlobTransferTest.data(4 * MIB, 15);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer seed = seed(origin, 8 * MIB, 1);
    List<Future<BlobFetcher.Result>> fetches = new ArrayList<>();
    List<ContentStore> stores = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ContentStore s = new ContentStore(dir.resolve("leech" + i));
      stores.add(s);
      SwarmFetcher f = closing(new SwarmFetcher(s, null, CONFIG.withConcurrency(4, 2, 4), new Random(i)));
      fetches.add(threads.submit(() -> f.fetch(hash, List.of(seed.uri()))));
    }
    for (Future<BlobFetcher.Result> f : fetches) {
      assertThat(f.get(120, TimeUnit.SECONDS).rejected()).isEmpty();
    }
    for (ContentStore s : stores) {
      assertHolds(s, hash, payload);
    }
  }

  @Test
  void withoutATrackerTheSeedsServeEverything() throws Exception {
    byte[] payload = BlobTransferTest.data(5 * MIB + 3, 17);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    BlobServer plain = closing(new BlobServer(origin, 0, 8).start(0));
    Agent local = agent("local", 0, 1);

    BlobFetcher.Result r = local.fetcher().fetch(hash, List.of(plain.uri()));

    assertThat(r.bytesBySource()).containsOnlyKeys(plain.uri().toString());
    assertHolds(local.store(), hash, payload);
    assertThat(local.fetcher().fetch(hash, List.of(plain.uri())).bytesBySource()).as("held: nothing moves").isEmpty();
  }

  @Test
  void aBlobBeingAssembledIsServedOnlyWhereItIsVerified() throws Exception {
    byte[] payload = BlobTransferTest.data(3 * MIB, 16);
    ContentStore origin = new ContentStore(dir.resolve("origin"));
    String hash = origin.put(payload);
    ContentStore local = new ContentStore(dir.resolve("local"));
    PartialBlob blob = local.openPartial(hash, origin.chunks(hash));
    byte[] chunk1 = java.util.Arrays.copyOfRange(payload, MIB, 2 * MIB);
    byte[] bad = chunk1.clone();
    bad[0] ^= 1;
    assertThat(blob.accept(0, bad, MIB)).as("a corrupt chunk is refused").isFalse();
    assertThat(blob.accept(1, chunk1.clone(), MIB)).isTrue();
    BlobServer server = closing(new BlobServer(local, 0, 8).start(0));
    HttpClient http = HttpClient.newHttpClient();
    URI base = server.uri().resolve("/blobs/" + hash);

    HttpResponse<String> have = http.send(HttpRequest.newBuilder(URI.create(base + "/have")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<byte[]> held = http.send(HttpRequest.newBuilder(base)
        .header("Range", "bytes=" + MIB + "-" + (2 * MIB - 1)).build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> notHeld = http.send(HttpRequest.newBuilder(base)
        .header("Range", "bytes=0-" + (2 * MIB - 1)).build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(have.body()).contains("\"have\":\"" + ChunkBitmap.encode(BitSet.valueOf(new byte[] {2})) + "\"")
        .contains("\"complete\":false");
    assertThat(held.statusCode()).isEqualTo(206);
    assertThat(held.body()).isEqualTo(chunk1);
    assertThat(notHeld.statusCode()).isEqualTo(404);
    assertThat(whole.statusCode()).isEqualTo(404);
    local.release(blob);
  }
}
