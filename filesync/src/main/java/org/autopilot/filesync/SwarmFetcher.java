package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.autopilot.tls.TrustBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches blobs chunk by chunk from a swarm: the seeds (servers holding the whole blob) and every
 * peer that holds some of it, found through a {@link Tracker}. This host's own {@link BlobServer}
 * (if given) serves each chunk as soon as it is verified, and keeps serving a fetched blob; the
 * fetcher announces it to the tracker for {@link SwarmConfig#seedFor()}. Every chunk is checked
 * against the chunk list, the whole file against its hash before it enters the
 * {@link ContentStore}; a source that sent corrupt data is dropped, a busy, slow or failing one
 * is asked again only after a backoff; an interrupted fetch resumes from the verified chunks.
 * The download cap and {@link SwarmConfig#parallel()} apply to the host, across all fetches.
 * Randomness (chunk and source tie-breaks, backoff jitter) comes from the given {@link Random}.
 */
public final class SwarmFetcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmFetcher.class);
  private final ContentStore store;
  private final BlobServer self;
  private final SwarmConfig config;
  private final Random random;
  private final InstantSource clock;
  private final Bucket downlink;
  private final HttpClient http;
  private final javax.net.ssl.SSLSocketFactory tlsSockets;
  private final SwarmClient client;
  private final ExecutorService pool;
  private final ScheduledExecutorService announcer;
  private final Map<String, Shared> shared = new ConcurrentHashMap<>();
  /** Transfer endings by kind, [kind][0 = from a peer, 1 = from a seed]; then dropped sources. */
  private final AtomicLongArray counters = new AtomicLongArray(ChunkTransfer.Kind.values().length * 2 + 1);

  /**
   * Counters over every fetch of this fetcher so far.
   *
   * @param chunksFromSeeds chunks accepted from seeds
   * @param chunksFromPeers chunks accepted from peers
   * @param busy transfers refused with 503 (the source was then rested)
   * @param failed transfers that broke, timed out or got an unexpected status
   * @param corrupt chunks whose SHA-256 did not match (the source was dropped)
   * @param missing chunks a source did not hold after all (404)
   * @param dropped sources dropped from a fetch: corrupt data, or a peer failing again and again
   */
  public record Stats(long chunksFromSeeds, long chunksFromPeers, long busy, long failed, long corrupt,
      long missing, long dropped) {}

  /** A blob this host announces as complete, to {@code tracker}, until {@code until}. */
  private record Shared(URI tracker, int count, String have, Instant until) {}

  /**
   * A fetcher into {@code store}.
   *
   * @param store where fetched blobs go
   * @param self this host's running blob server on {@code store}, announced to peers; null = take
   *     without giving (the fetcher then only reads the tracker)
   * @param config knobs
   * @param random source of all randomness, seed it to replay
   */
  public SwarmFetcher(ContentStore store, BlobServer self, SwarmConfig config, Random random) {
    this(store, self, config, random, InstantSource.system());
  }

  /** As above, reading time from {@code clock}. */
  public SwarmFetcher(ContentStore store, BlobServer self, SwarmConfig config, Random random, InstantSource clock) {
    this(store, self, config, random, clock, null);
  }

  /**
   * As above, trusting the CAs of {@code trust} for {@code https://} seeds, trackers and peers
   * (null = the JDK's CAs). Every chunk and the whole file are verified either way.
   */
  public SwarmFetcher(ContentStore store, BlobServer self, SwarmConfig config, Random random, InstantSource clock,
      TrustBundle trust) {
    this.store = store;
    this.self = self;
    this.config = config;
    this.random = random;
    this.clock = clock;
    this.downlink = Bandwidth.cap(config.downlinkBytesPerSecond());
    this.http = TrustBundle.httpClient(trust).connectTimeout(Duration.ofSeconds(3))
        .version(HttpClient.Version.HTTP_1_1).build();
    this.client = new SwarmClient(http);
    this.tlsSockets = trust == null ? null : trust.sslContext().getSocketFactory();
    this.pool = Executors.newFixedThreadPool(config.parallel(), daemon("swarm-transfer"));
    this.announcer = Executors.newSingleThreadScheduledExecutor(daemon("swarm-announce"));
    long every = config.announceInterval().toMillis();
    announcer.scheduleWithFixedDelay(this::announceShared, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Fetches {@code hash} into the store from the swarm seeded by {@code seeds} (base URIs like
   * {@code http://h:p}; at least one), then announces it for others. The tracker is
   * {@link SwarmConfig#tracker()}, or else the first seed. Already-held blobs return at once.
   * One fetch per hash at a time.
   *
   * @throws IOException when no source could supply it within the configured timeouts; the
   *     verified chunks are kept for a later fetch
   */
  public BlobFetcher.Result fetch(String hash, List<URI> seeds) throws IOException, InterruptedException {
    ContentStore.checkHash(hash);
    if (seeds.isEmpty() && config.tracker() == null) {
      throw new IllegalArgumentException("a fetch needs a seed or a configured tracker");
    }
    URI tracker = config.tracker() != null ? config.tracker() : seeds.get(0);
    if (!store.has(hash)) {
      ContentStore.Chunks chunks = chunkList(hash, seeds, tracker);
      PartialBlob blob = store.openPartial(hash, chunks);
      BlobFetcher.Result r = new SwarmDownload(this, blob, seeds, tracker).run();
      share(hash, tracker);
      return r;
    }
    share(hash, tracker);
    return new BlobFetcher.Result(hash, Files.size(store.path(hash)), new LinkedHashMap<>(), List.of());
  }

  /**
   * Announces {@code hash}, held complete in the store, to {@code tracker} (and keeps announcing
   * it for {@link SwarmConfig#seedFor()}), so peers fetch it from this host. Needs a server.
   */
  public void share(String hash, URI tracker) throws IOException {
    if (self == null) {
      return;
    }
    int count = store.chunks(hash).chunks().size();
    BitSet all = new BitSet();
    all.set(0, count);
    Shared s = new Shared(tracker, count, ChunkBitmap.encode(all), clock.instant().plus(config.seedFor()));
    shared.put(hash, s);
    announcement(hash, s, false);
  }

  /** Stops announcing; tells the trackers this host is leaving. Fetches in progress fail. */
  @Override
  public void close() {
    announcer.shutdownNow();
    shared.forEach((hash, s) -> announce(hash, s, true));
    shared.clear();
    pool.shutdownNow();
  }

  /** What all fetches of this fetcher have done so far. */
  public Stats stats() {
    return new Stats(counter(ChunkTransfer.Kind.ACCEPTED, true), counter(ChunkTransfer.Kind.ACCEPTED, false),
        total(ChunkTransfer.Kind.BUSY), total(ChunkTransfer.Kind.FAILED), total(ChunkTransfer.Kind.CORRUPT),
        total(ChunkTransfer.Kind.MISSING), counters.get(counters.length() - 1));
  }

  void count(ChunkTransfer.Kind kind, boolean seed) {
    counters.incrementAndGet(kind.ordinal() * 2 + (seed ? 1 : 0));
  }

  void countDropped() {
    counters.incrementAndGet(counters.length() - 1);
  }

  private long counter(ChunkTransfer.Kind kind, boolean seed) {
    return counters.get(kind.ordinal() * 2 + (seed ? 1 : 0));
  }

  private long total(ChunkTransfer.Kind kind) {
    return counter(kind, true) + counter(kind, false);
  }

  ContentStore store() {
    return store;
  }

  BlobServer self() {
    return self;
  }

  SwarmConfig config() {
    return config;
  }

  Random random() {
    return random;
  }

  InstantSource clock() {
    return clock;
  }

  Bucket downlink() {
    return downlink;
  }

  /** Sockets trusting the configured CAs for chunk transfers, or null for the JDK's defaults. */
  javax.net.ssl.SSLSocketFactory tlsSockets() {
    return tlsSockets;
  }

  HttpClient http() {
    return http;
  }

  SwarmClient client() {
    return client;
  }

  ExecutorService pool() {
    return pool;
  }

  /** The chunk list, from the seeds in order, else from the peers the tracker knows. */
  private ContentStore.Chunks chunkList(String hash, List<URI> seeds, URI tracker)
      throws IOException, InterruptedException {
    StringBuilder why = new StringBuilder();
    for (URI seed : seeds) {
      try {
        return client.chunks(seed, hash);
      } catch (IOException e) {
        why.append(' ').append(seed).append(": ").append(e.getMessage()).append(';');
      }
    }
    try {
      for (Tracker.Peer p : client.view(tracker, hash).get(10, TimeUnit.SECONDS).peers()) {
        try {
          return client.chunks(URI.create(p.url()), hash);
        } catch (IOException | IllegalArgumentException e) {
          why.append(' ').append(p.url()).append(": ").append(e.getMessage()).append(';');
        }
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      why.append(" tracker ").append(tracker).append(": ").append(e.getMessage());
    }
    throw new IOException("no chunk list for " + hash + ":" + why);
  }

  private void announceShared() {
    Instant now = clock.instant();
    shared.forEach((hash, s) -> {
      boolean over = now.isAfter(s.until());
      if (over) {
        shared.remove(hash, s);
      }
      announce(hash, s, over);
    });
  }

  private CompletableFuture<Tracker.View> announcement(String hash, Shared s, boolean leaving) {
    return client.announce(s.tracker(), hash, new Tracker.Announce(self.uri().toString(), s.count(), s.have(), "",
        true, leaving, self.activeTransfers(), 0));
  }

  private void announce(String hash, Shared s, boolean leaving) {
    try {
      announcement(hash, s, leaving).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debug("announcing {} to {} failed: {}", hash, s.tracker(), e.toString());
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
