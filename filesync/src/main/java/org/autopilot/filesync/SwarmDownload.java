package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch of one blob by a {@link SwarmFetcher}: a loop on the caller's thread that announces
 * to the tracker, asks {@link ChunkPicker} what to start, runs chunk transfers on the fetcher's
 * pool and reacts to how they end (accept, ban a source that sent corrupt data, back off from
 * one that was busy, slow or failing). Its state is confined to the loop; transfers report
 * through a queue.
 */
final class SwarmDownload {
  private static final Logger LOG = LoggerFactory.getLogger(SwarmDownload.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_WAIT = Duration.ofMillis(200);
  private static final int MAX_REJECTED = 64;
  /** A peer whose transfers fail this many times in a row is dropped from the fetch (seeds never are). */
  static final int PEER_ERRORS = 4;
  private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>();
  private final SwarmFetcher host;
  private final SwarmConfig config;
  private final PartialBlob blob;
  private final List<URI> seeds;
  private final URI tracker;
  private final LinkedBlockingQueue<Ending> endings = new LinkedBlockingQueue<>();
  private final Map<Integer, Transfer> inFlight = new HashMap<>();
  private final Map<URI, Integer> transfersBySource = new HashMap<>();
  /** Busy, slow or failed transfers in a row, by source: the backoff exponent. */
  private final Map<URI, Integer> failures = new HashMap<>();
  /** Failed transfers in a row, by source. */
  private final Map<URI, Integer> errors = new HashMap<>();
  private final Map<URI, Instant> restUntil = new HashMap<>();
  private final Map<URI, BitSet> notThere = new HashMap<>();
  private final Set<URI> banned = new HashSet<>();
  private final Map<String, Long> bytesBySource = new LinkedHashMap<>();
  private final List<String> rejected = new ArrayList<>();
  private List<ChunkPicker.Peer> peers = List.of();
  private int stripe;
  private int stripes = 1;
  private Duration announceInterval;
  private Instant nextAnnounce = Instant.MIN;
  private CompletableFuture<Tracker.View> announcing;
  private Instant lastProgress;

  /** How a chunk transfer ended. */
  enum Kind { ACCEPTED, CORRUPT, BUSY, MISSING, FAILED }

  /** A chunk transfer that ended, and when. */
  record Ending(Transfer transfer, Kind kind, String detail, Instant at) {}

  /** A chunk transfer in flight; {@link #abort()} cuts its connection. */
  static final class Transfer {
    final int chunk;
    final URI source;
    final boolean seed;
    final Instant started;
    private volatile InputStream body;
    private volatile boolean aborted;

    Transfer(int chunk, URI source, boolean seed, Instant started) {
      this.chunk = chunk;
      this.source = source;
      this.seed = seed;
      this.started = started;
    }

    void abort() {
      aborted = true;
      closeQuietly(body);
    }
  }

  SwarmDownload(SwarmFetcher host, PartialBlob blob, List<URI> seeds, URI tracker) {
    this.host = host;
    this.config = host.config();
    this.blob = blob;
    this.seeds = List.copyOf(seeds);
    this.tracker = tracker;
    this.announceInterval = config.announceInterval();
  }

  /** Runs until every chunk is held (then the blob is committed) or the fetch stalls. */
  BlobFetcher.Result run() throws IOException, InterruptedException {
    lastProgress = host.clock().instant();
    boolean committed = false;
    try {
      announce(lastProgress);
      awaitView();
      while (!blob.complete()) {
        Instant now = host.clock().instant();
        takeView();
        if (!now.isBefore(nextAnnounce)) {
          announce(now);
        }
        start(now);
        abortOverdue(now);
        if (inFlight.isEmpty() && Duration.between(lastProgress, now).compareTo(config.stallTimeout()) > 0) {
          throw new IOException("could not fetch " + blob.hash() + ": no progress for " + config.stallTimeout()
              + " from seeds " + seeds + " or peers; " + rejected);
        }
        Ending e = endings.poll(waitMillis(now), TimeUnit.MILLISECONDS);
        while (e != null) {
          handle(e);
          e = endings.poll();
        }
      }
      drain();
      host.store().commit(blob);
      committed = true;
      return new BlobFetcher.Result(blob.hash(), blob.chunks().size(), bytesBySource, rejected);
    } finally {
      inFlight.values().forEach(Transfer::abort);
      if (!committed) {
        host.store().release(blob);
      }
    }
  }

  /** Takes the endings of the transfers still in flight (their chunks are held: they are being counted). */
  private void drain() throws InterruptedException {
    while (!inFlight.isEmpty()) {
      Ending e = endings.poll(config.chunkTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        return;
      }
      handle(e);
    }
  }

  /** Waits (a bounded time) for the first view of the swarm, so the first picks know the stripes. */
  private void awaitView() throws InterruptedException {
    try {
      announcing.get(config.announceInterval().toMillis() * 4, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("no view of the swarm of {} yet: {}", blob.hash(), e.toString());
    }
    takeView();
  }

  /** Starts an announce (or, without a server of our own, a view request) unless one is under way. */
  private void announce(Instant now) {
    takeView();
    if (announcing != null) {
      return;
    }
    BlobServer self = host.self();
    if (self == null) {
      announcing = host.client().view(tracker, blob.hash());
    } else {
      BitSet fetching = new BitSet(blob.count());
      inFlight.keySet().forEach(fetching::set);
      announcing = host.client().announce(tracker, blob.hash(), new Tracker.Announce(self.uri().toString(),
          ChunkBitmap.encode(blob.held()), ChunkBitmap.encode(fetching), false, false, self.activeTransfers()));
    }
    nextAnnounce = now.plus(announceInterval);
  }

  /** Applies the answer of the last announce once it is in; a failed one leaves the old view. */
  private void takeView() {
    if (announcing != null && announcing.isDone()) {
      try {
        applyView(announcing.getNow(null));
      } catch (RuntimeException e) {
        LOG.debug("tracker {} did not answer for {}: {}", tracker, blob.hash(), e.toString());
      }
      announcing = null;
    }
  }

  private void applyView(Tracker.View view) {
    List<ChunkPicker.Peer> seen = new ArrayList<>();
    for (Tracker.Peer p : view.peers()) {
      try {
        seen.add(new ChunkPicker.Peer(URI.create(p.url()), ChunkBitmap.decode(p.have(), blob.count()),
            ChunkBitmap.decode(p.fetching(), blob.count()), p.load()));
      } catch (IllegalArgumentException e) {
        LOG.debug("ignoring peer {}: {}", p.url(), e.getMessage());
      }
    }
    peers = seen;
    notThere.clear();
    stripes = Math.max(1, view.stripes());
    stripe = Math.floorMod(view.stripe(), stripes);
    if (view.intervalMs() > 0) {
      announceInterval = Duration.ofMillis(Math.max(50, view.intervalMs()));
    }
  }

  /** Starts transfers while there are free slots and something worth starting. */
  private void start(Instant now) {
    if (inFlight.size() >= config.parallel()) {
      return;
    }
    BitSet held = blob.held();
    BitSet flying = new BitSet(blob.count());
    inFlight.keySet().forEach(flying::set);
    Set<URI> resting = new HashSet<>();
    restUntil.forEach((u, until) -> {
      if (now.isBefore(until)) {
        resting.add(u);
      }
    });
    List<ChunkPicker.Peer> usable = new ArrayList<>();
    for (ChunkPicker.Peer p : peers) {
      if (!banned.contains(p.url()) && !seeds.contains(p.url())) {
        BitSet missing = notThere.get(p.url());
        BitSet have = p.have();
        if (missing != null) {
          have = (BitSet) have.clone();
          have.andNot(missing);
        }
        usable.add(new ChunkPicker.Peer(p.url(), have, p.fetching(), p.load()));
      }
    }
    List<URI> liveSeeds = seeds.stream().filter(u -> !banned.contains(u)).toList();
    while (inFlight.size() < config.parallel()) {
      ChunkPicker.Situation s = new ChunkPicker.Situation(blob.count(), held, flying, usable, liveSeeds,
          stripe, stripes, transfersBySource, resting, config.perPeer(), config.perSeed());
      var pick = ChunkPicker.next(s, host.random());
      if (pick.isEmpty()) {
        return;
      }
      Transfer t = new Transfer(pick.get().chunk(), pick.get().source(), pick.get().seed(), now);
      inFlight.put(t.chunk, t);
      flying.set(t.chunk);
      transfersBySource.merge(t.source, 1, Integer::sum);
      host.pool().execute(() -> endings.add(transfer(t)));
    }
  }

  private void abortOverdue(Instant now) {
    for (Transfer t : inFlight.values()) {
      if (Duration.between(t.started, now).compareTo(config.chunkTimeout()) > 0) {
        t.abort();
      }
    }
  }

  private long waitMillis(Instant now) {
    Instant wake = nextAnnounce;
    for (Instant until : restUntil.values()) {
      if (until.isAfter(now) && until.isBefore(wake)) {
        wake = until;
      }
    }
    long ms = Duration.between(now, wake).toMillis();
    return Math.max(1, Math.min(MAX_WAIT.toMillis(), ms));
  }

  private void handle(Ending e) {
    Transfer t = e.transfer();
    inFlight.remove(t.chunk);
    transfersBySource.merge(t.source, -1, Integer::sum);
    switch (e.kind()) {
      case ACCEPTED -> {
        bytesBySource.merge(t.source.toString(), (long) blob.length(t.chunk), Long::sum);
        lastProgress = e.at();
        failures.remove(t.source);
        errors.remove(t.source);
        if (Duration.between(t.started, e.at()).compareTo(config.slowChunk()) > 0) {
          rest(t.source, e.at());
        } else {
          restUntil.remove(t.source);
        }
      }
      case CORRUPT -> {
        banned.add(t.source);
        reject(t.source + ": chunk " + t.chunk + " is corrupt (source banned from this fetch)");
      }
      case MISSING -> {
        if (t.seed) {
          banned.add(t.source);
          reject(t.source + ": seed does not hold chunk " + t.chunk);
        } else {
          notThere.computeIfAbsent(t.source, u -> new BitSet()).set(t.chunk);
        }
      }
      case BUSY -> rest(t.source, e.at());
      case FAILED -> {
        int n = errors.merge(t.source, 1, Integer::sum);
        if (n == 1) {
          reject(t.source + ": " + e.detail());
        }
        if (!t.seed && n >= PEER_ERRORS) {
          banned.add(t.source);
          reject(t.source + ": dropped after " + n + " failed transfers in a row (" + e.detail() + ")");
        }
        rest(t.source, e.at());
      }
    }
    LOG.trace("{} chunk {} from {}: {} {}", blob.hash(), t.chunk, t.source, e.kind(), e.detail());
  }

  /** Pauses asking {@code source}: 100 ms doubling per consecutive failure, up to maxBackoff, jittered. */
  private void rest(URI source, Instant now) {
    int n = failures.merge(source, 1, Integer::sum);
    long ms = Math.min(config.maxBackoff().toMillis(), FIRST_BACKOFF.toMillis() << Math.min(n - 1, 20));
    restUntil.put(source, now.plusMillis((long) (ms * (0.5 + host.random().nextDouble()))));
  }

  private void reject(String why) {
    if (rejected.size() < MAX_REJECTED) {
      rejected.add(why);
    }
  }

  /** Runs on the pool: one ranged GET of one chunk, verified before it is kept. */
  private Ending transfer(Transfer t) {
    long from = blob.offset(t.chunk);
    int length = blob.length(t.chunk);
    try {
      HttpRequest request = HttpRequest.newBuilder(t.source.resolve("/blobs/" + blob.hash()))
          .header("Range", "bytes=" + from + "-" + (from + length - 1)).timeout(config.chunkTimeout()).build();
      HttpResponse<InputStream> r = host.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        t.body = in;
        if (t.aborted) {
          return end(t, Kind.FAILED, "cut off after " + config.chunkTimeout());
        }
        switch (r.statusCode()) {
          case 206 -> {
            return receive(t, in, length);
          }
          default -> {
            in.readNBytes(8192);
            return switch (r.statusCode()) {
              case 503 -> end(t, Kind.BUSY, "busy");
              case 404 -> end(t, Kind.MISSING, "not held there");
              default -> end(t, Kind.FAILED, "HTTP " + r.statusCode());
            };
          }
        }
      }
    } catch (IOException e) {
      return end(t, Kind.FAILED, t.aborted ? "cut off after " + config.chunkTimeout() : String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return end(t, Kind.FAILED, "interrupted");
    } catch (RuntimeException e) {
      return end(t, Kind.FAILED, e.toString());
    }
  }

  private Ending receive(Transfer t, InputStream in, int length) throws IOException, InterruptedException {
    byte[] buf = BUFFER.get();
    if (buf == null || buf.length < length) {
      buf = new byte[Math.max(length, ContentStore.CHUNK)];
      BUFFER.set(buf);
    }
    Bucket downlink = host.downlink();
    int got = 0;
    while (got < length) {
      int n = in.read(buf, got, length - got);
      if (n < 0) {
        return end(t, Kind.FAILED, "connection ended after " + got + " of " + length + " bytes");
      }
      if (downlink != null) {
        downlink.asBlocking().consume(n);
      }
      got += n;
    }
    return blob.accept(t.chunk, buf, length) ? end(t, Kind.ACCEPTED, "") : end(t, Kind.CORRUPT, "hash mismatch");
  }

  private Ending end(Transfer t, Kind kind, String detail) {
    return new Ending(t, kind, detail, host.clock().instant());
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // the transfer ends with an error either way
      }
    }
  }
}
