package org.autopilot.filesync;

import java.io.IOException;
import java.net.URI;
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
  /** A busy (503) source is a full one, not a broken one: short pauses, 50 ms doubling up to 800 ms. */
  private static final Duration FIRST_BUSY_PAUSE = Duration.ofMillis(50);
  private static final Duration MAX_BUSY_PAUSE = Duration.ofMillis(800);
  private static final Duration MAX_WAIT = Duration.ofMillis(200);
  private static final int MAX_REJECTED = 64;
  /** A peer whose transfers fail this many times in a row is dropped from the fetch (seeds never are). */
  static final int PEER_ERRORS = 4;
  /**
   * A view of the swarm older than this many announce intervals (and at least {@link #STALE_AFTER})
   * no longer binds the seed leases: the tracker is taken to be gone.
   */
  private static final int STALE_VIEW = 6;
  private static final Duration STALE_AFTER = Duration.ofSeconds(5);
  /** How long a fetch waits for its first view of the swarm before it starts without one. */
  private static final Duration FIRST_VIEW = Duration.ofSeconds(5);
  private final SwarmFetcher host;
  private final SwarmConfig config;
  private final PartialBlob blob;
  private final List<URI> seeds;
  private final URI tracker;
  private final LinkedBlockingQueue<ChunkTransfer.Ending> endings = new LinkedBlockingQueue<>();
  private final Map<Integer, ChunkTransfer> inFlight = new HashMap<>();
  private final Map<URI, Integer> transfersBySource = new HashMap<>();
  /** Slow or failed transfers in a row, by source: the backoff exponent. */
  private final Map<URI, Integer> failures = new HashMap<>();
  /** Busy answers in a row, by source. */
  private final Map<URI, Integer> busy = new HashMap<>();
  /** Failed transfers in a row, by source. */
  private final Map<URI, Integer> errors = new HashMap<>();
  private final Map<URI, Instant> restUntil = new HashMap<>();
  private final Map<URI, BitSet> notThere = new HashMap<>();
  private final Set<URI> banned = new HashSet<>();
  private final Map<String, Long> bytesBySource = new LinkedHashMap<>();
  private final List<String> rejected = new ArrayList<>();
  private List<ChunkPicker.Peer> peers = List.of();
  /**
   * Chunks the tracker leased to this fetch, to take from the seeds; null = none known (fetch
   * freely). Chunks only dropped peers hold are taken from the seeds too: the tracker does not
   * know they were dropped.
   */
  private BitSet leases;
  private Instant viewedAt = Instant.MIN;
  private Duration announceInterval;
  private Instant nextAnnounce = Instant.MIN;
  private CompletableFuture<Tracker.View> announcing;
  private Instant lastProgress;
  private Instant startedAt;
  /** Whether anything a pick depends on changed since the last pick found nothing to start. */
  private boolean changed = true;
  /** Whether {@link #usable}, {@link #orphans} and {@link #holders} must be rebuilt. */
  private boolean peersChanged = true;
  private List<ChunkPicker.Peer> usable = List.of();
  private BitSet orphans = new BitSet();
  private int[] holders = new int[0];

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
    startedAt = lastProgress;
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
        ChunkTransfer.Ending e = endings.poll(waitMillis(now), TimeUnit.MILLISECONDS);
        while (e != null) {
          handle(e);
          e = endings.poll();
        }
      }
      drain();
      host.store().commit(blob);
      committed = true;
      LOG.debug("fetched {} in {} ms: {}", blob.hash(), Duration.between(startedAt, host.clock().instant()).toMillis(),
          bytesBySource);
      return new BlobFetcher.Result(blob.hash(), blob.chunks().size(), bytesBySource, rejected);
    } finally {
      inFlight.values().forEach(ChunkTransfer::abort);
      if (!committed) {
        host.store().release(blob);
      }
    }
  }

  /** Takes the endings of the transfers still in flight (their chunks are held: they are being counted). */
  private void drain() throws InterruptedException {
    while (!inFlight.isEmpty()) {
      ChunkTransfer.Ending e = endings.poll(config.chunkTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        return;
      }
      handle(e);
    }
  }

  /** Waits (a bounded time) for the first view of the swarm, so the first picks know the peers and leases. */
  private void awaitView() throws InterruptedException {
    try {
      announcing.get(FIRST_VIEW.toMillis(), TimeUnit.MILLISECONDS);
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
      int seedWanted = config.perSeed() * (int) seeds.stream().filter(u -> !banned.contains(u)).count() + 1;
      announcing = host.client().announce(tracker, blob.hash(), new Tracker.Announce(self.uri().toString(),
          blob.count(), ChunkBitmap.encode(blob.held()), ChunkBitmap.encode(fetching), false, false,
          self.activeTransfers(), seedWanted));
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
    changed = true;
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
    peersChanged = true;
    notThere.clear();
    leases = host.self() == null ? null : ChunkBitmap.decode(view.seedLeases(), blob.count());
    viewedAt = host.clock().instant();
    if (view.intervalMs() > 0) {
      announceInterval = Duration.ofMillis(Math.max(50, view.intervalMs()));
    }
  }

  /** Starts transfers while there are free slots and something worth starting. */
  private void start(Instant now) {
    if (inFlight.size() >= config.parallel() || !(changed || restEnded(now))) {
      return;
    }
    changed = false;
    BitSet held = blob.held();
    BitSet flying = new BitSet(blob.count());
    inFlight.keySet().forEach(flying::set);
    Set<URI> resting = new HashSet<>();
    restUntil.forEach((u, until) -> {
      if (now.isBefore(until)) {
        resting.add(u);
      }
    });
    refreshPeers();
    List<URI> liveSeeds = seeds.stream().filter(u -> !banned.contains(u)).toList();
    BitSet seedable = null;
    Duration stale = announceInterval.multipliedBy(STALE_VIEW);
    if (leases != null && now.isBefore(viewedAt.plus(stale.compareTo(STALE_AFTER) > 0 ? stale : STALE_AFTER))) {
      seedable = (BitSet) leases.clone();
      seedable.or(orphans);
    }
    ChunkPicker.Situation s = new ChunkPicker.Situation(blob.count(), held, flying, usable, liveSeeds,
        seedable, transfersBySource, resting, config.perPeer(), config.perSeed(), config.window());
    for (ChunkPicker.Pick pick : ChunkPicker.next(s, holders, config.parallel() - inFlight.size(), host.random())) {
      ChunkTransfer t = new ChunkTransfer(pick.chunk(), pick.source(), pick.seed(), now);
      inFlight.put(t.chunk, t);
      transfersBySource.merge(t.source, 1, Integer::sum);
      host.pool().execute(() -> endings.add(t.run(blob, host.downlink(), host.clock(), host.tlsSockets())));
    }
  }

  /**
   * Rebuilds, when the view, a ban or a 404 changed them, the peers worth asking (not dropped, not
   * seeds, without the chunks they turned out not to hold), how many of them hold each chunk, and
   * the orphans: chunks only dropped peers hold.
   */
  private void refreshPeers() {
    if (!peersChanged) {
      return;
    }
    peersChanged = false;
    usable = new ArrayList<>();
    orphans = new BitSet(blob.count());
    for (ChunkPicker.Peer p : peers) {
      if (banned.contains(p.url())) {
        orphans.or(p.have());
      }
    }
    for (ChunkPicker.Peer p : peers) {
      if (!banned.contains(p.url()) && !seeds.contains(p.url())) {
        orphans.andNot(p.have());
        BitSet missing = notThere.get(p.url());
        BitSet have = p.have();
        if (missing != null) {
          have = (BitSet) have.clone();
          have.andNot(missing);
        }
        usable.add(new ChunkPicker.Peer(p.url(), have, p.fetching(), p.load()));
      }
    }
    holders = ChunkPicker.holders(usable, blob.count());
  }

  /** Whether a source's rest ended since the last pick (it may be asked again); forgets ended rests. */
  private boolean restEnded(Instant now) {
    return restUntil.values().removeIf(until -> !now.isBefore(until));
  }

  private void abortOverdue(Instant now) {
    for (ChunkTransfer t : inFlight.values()) {
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

  private void handle(ChunkTransfer.Ending e) {
    ChunkTransfer t = e.transfer();
    changed = true;
    inFlight.remove(t.chunk);
    transfersBySource.merge(t.source, -1, Integer::sum);
    host.count(e.kind(), t.seed);
    switch (e.kind()) {
      case ACCEPTED -> {
        bytesBySource.merge(t.source.toString(), (long) blob.length(t.chunk), Long::sum);
        lastProgress = e.at();
        failures.remove(t.source);
        errors.remove(t.source);
        busy.remove(t.source);
        if (Duration.between(t.started, e.at()).compareTo(config.slowChunk()) > 0) {
          rest(t.source, e.at());
        } else {
          restUntil.remove(t.source);
        }
      }
      case CORRUPT -> {
        peersChanged = true;
        if (banned.add(t.source)) {
          host.countDropped();
        }
        reject(t.source + ": chunk " + t.chunk + " is corrupt (source banned from this fetch)");
      }
      case MISSING -> {
        if (t.seed) {
          if (banned.add(t.source)) {
            host.countDropped();
          }
          reject(t.source + ": seed does not hold chunk " + t.chunk);
        } else {
          notThere.computeIfAbsent(t.source, u -> new BitSet()).set(t.chunk);
          peersChanged = true;
        }
      }
      case BUSY -> {
        int n = busy.merge(t.source, 1, Integer::sum);
        pause(t.source, e.at(), Math.min(MAX_BUSY_PAUSE.toMillis(), FIRST_BUSY_PAUSE.toMillis() << Math.min(n - 1, 20)));
      }
      case FAILED -> {
        int n = errors.merge(t.source, 1, Integer::sum);
        if (n == 1) {
          reject(t.source + ": " + e.detail());
        }
        if (!t.seed && n >= PEER_ERRORS && banned.add(t.source)) {
          peersChanged = true;
          host.countDropped();
          reject(t.source + ": dropped after " + n + " failed transfers in a row (" + e.detail() + ")");
        }
        rest(t.source, e.at());
      }
    }
    LOG.trace("{} chunk {} from {}: {} {}", blob.hash(), t.chunk, t.source, e.kind(), e.detail());
  }

  /** Pauses asking {@code source} after a failure or a slow transfer: 100 ms doubling per failure in a row, up to maxBackoff. */
  private void rest(URI source, Instant now) {
    int n = failures.merge(source, 1, Integer::sum);
    pause(source, now, Math.min(config.maxBackoff().toMillis(), FIRST_BACKOFF.toMillis() << Math.min(n - 1, 20)));
  }

  /** Pauses asking {@code source} for about {@code ms} (jittered 0.5x to 1.5x, so fetchers do not come back in step). */
  private void pause(URI source, Instant now, long ms) {
    restUntil.put(source, now.plusMillis((long) (ms * (0.5 + host.random().nextDouble()))));
  }

  private void reject(String why) {
    if (rejected.size() < MAX_REJECTED) {
      rejected.add(why);
    }
  }
}
