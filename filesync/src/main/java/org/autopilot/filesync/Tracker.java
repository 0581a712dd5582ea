package org.autopilot.filesync;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds which chunks of which blob, and who may take which chunk from the seeds. Peers
 * announce themselves (the base URI of their {@link BlobServer}), the chunks they hold and the
 * chunks they are fetching, and get back the other peers. A peer not heard from for {@code ttl}
 * is forgotten.
 *
 * <p>Seed leases: a peer may ask for chunks to take from the seeds ({@link Announce#seedWanted}).
 * The tracker grants chunks that no live peer holds and nobody else has leased, lowest index
 * first, so each chunk leaves the seeds about once, the rest of the swarm copies it from peers,
 * and chunks reach the swarm roughly in file order (a receiver hashes the whole file as its
 * verified prefix grows, instead of all at the end). A lease ends when its holder announces the
 * chunk, leaves or is forgotten, or after {@code 4 x ttl}. Hosted over HTTP by
 * {@link BlobServer#hostTracker(Tracker)}; plain state otherwise (the clock is an input).
 * Thread-safe.
 */
public final class Tracker {
  /** Most swarms tracked at once and most peers per swarm; announces beyond are answered, not recorded. */
  static final int MAX_SWARMS = 4096;
  static final int MAX_PEERS = 2048;
  static final int MAX_CHUNKS = 1 << 20;
  private static final int MAX_BITMAP = MAX_CHUNKS / 6 + 4;
  private final InstantSource clock;
  private final Duration ttl;
  private final Duration interval;
  private final Map<String, Swarm> swarms = new HashMap<>();

  /**
   * A peer's report.
   *
   * @param peer base URI of the peer's blob server, {@code http://host:port}
   * @param count number of chunks of the blob
   * @param have {@link ChunkBitmap} of the chunks it holds, verified
   * @param fetching {@link ChunkBitmap} of the chunks it is downloading now
   * @param complete whether it holds the whole blob
   * @param leaving whether it is going away (it is forgotten at once)
   * @param load transfers its server is sending now
   * @param seedWanted how many seed leases it would like to hold (0 = none)
   */
  public record Announce(String peer, int count, String have, String fetching, boolean complete, boolean leaving,
      int load, int seedWanted) {}

  /**
   * One peer as the swarm knows it.
   *
   * @param url base URI of its blob server
   * @param have {@link ChunkBitmap} of the chunks it holds
   * @param fetching {@link ChunkBitmap} of the chunks it is downloading
   * @param complete whether it holds the whole blob
   * @param load transfers its server was sending when it last announced
   */
  public record Peer(String url, String have, String fetching, boolean complete, int load) {}

  /**
   * The swarm as seen by one peer.
   *
   * @param peers every other live peer
   * @param seedLeases {@link ChunkBitmap} of the chunks the asking peer may take from the seeds
   * @param intervalMs how often to announce again
   */
  public record View(List<Peer> peers, String seedLeases, long intervalMs) {}

  private record Seen(Peer peer, BitSet have, Instant at) {}

  private record Lease(String peer, Instant until) {}

  /** One blob's peers and leases. */
  private static final class Swarm {
    final Map<String, Seen> peers = new LinkedHashMap<>();
    final Map<Integer, Lease> leases = new HashMap<>();
  }

  /** A tracker forgetting silent peers after {@code ttl}, asking for announces every {@code interval}. */
  public Tracker(InstantSource clock, Duration ttl, Duration interval) {
    if (ttl.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("ttl " + ttl + " must exceed the announce interval " + interval);
    }
    this.clock = clock;
    this.ttl = ttl;
    this.interval = interval;
  }

  /** A tracker on the system clock: announce every 250 ms, forget after 5 s of silence. */
  public Tracker() {
    this(InstantSource.system(), Duration.ofSeconds(5), Duration.ofMillis(250));
  }

  /** Records {@code a} for {@code hash} and returns the swarm as {@code a.peer()} sees it. */
  public synchronized View announce(String hash, Announce a) {
    ContentStore.checkHash(hash);
    String self = checkPeer(a.peer());
    if (length(a.have()) > MAX_BITMAP || length(a.fetching()) > MAX_BITMAP || a.count() < 0 || a.count() > MAX_CHUNKS) {
      throw new IllegalArgumentException("bitmap or chunk count out of range");
    }
    Instant now = clock.instant();
    Swarm swarm = live(hash, now);
    if (swarm == null) {
      return new View(List.of(), "", interval.toMillis());
    }
    if (a.leaving()) {
      swarm.peers.remove(self);
    } else if (swarm.peers.containsKey(self) || swarm.peers.size() < MAX_PEERS) {
      BitSet have = ChunkBitmap.decode(a.have(), a.count());
      swarm.peers.put(self, new Seen(new Peer(self, ChunkBitmap.encode(have), nullToEmpty(a.fetching()),
          a.complete(), Math.max(0, a.load())), have, now));
    }
    BitSet leased = a.leaving() || a.complete() || !swarm.peers.containsKey(self) ? new BitSet()
        : lease(swarm, self, a.count(), Math.min(a.seedWanted(), 64), now);
    return new View(others(swarm, self), ChunkBitmap.encode(leased), interval.toMillis());
  }

  /** The swarm of {@code hash} as an outsider sees it (no leases). */
  public synchronized View view(String hash) {
    ContentStore.checkHash(hash);
    Swarm swarm = live(hash, clock.instant());
    return new View(swarm == null ? List.of() : others(swarm, null), "", interval.toMillis());
  }

  /** Ends finished or stale leases, grants {@code self} new ones up to {@code wanted}; returns its leases. */
  private BitSet lease(Swarm swarm, String self, int count, int wanted, Instant now) {
    BitSet held = new BitSet(count);
    swarm.peers.values().forEach(s -> held.or(s.have()));
    swarm.leases.entrySet().removeIf(e -> e.getKey() >= count || held.get(e.getKey())
        || !swarm.peers.containsKey(e.getValue().peer()) || !now.isBefore(e.getValue().until()));
    BitSet mine = new BitSet(count);
    BitSet open = new BitSet(count);
    open.set(0, count);
    open.andNot(held);
    swarm.leases.forEach((chunk, lease) -> {
      open.clear(chunk);
      if (lease.peer().equals(self)) {
        mine.set(chunk);
      }
    });
    for (int chunk = open.nextSetBit(0); chunk >= 0 && mine.cardinality() < wanted; chunk = open.nextSetBit(chunk + 1)) {
      mine.set(chunk);
      swarm.leases.put(chunk, new Lease(self, now.plus(ttl.multipliedBy(4))));
    }
    return mine;
  }

  /** Live peers of {@code hash} after dropping the silent ones; null when there is no room for a new swarm. */
  private Swarm live(String hash, Instant now) {
    swarms.values().forEach(s -> s.peers.values().removeIf(seen -> !now.isBefore(seen.at().plus(ttl))));
    swarms.values().removeIf(s -> s.peers.isEmpty());
    if (!swarms.containsKey(hash) && swarms.size() >= MAX_SWARMS) {
      return null;
    }
    return swarms.computeIfAbsent(hash, h -> new Swarm());
  }

  private static List<Peer> others(Swarm swarm, String self) {
    List<Peer> others = new ArrayList<>();
    for (Seen s : swarm.peers.values()) {
      if (!s.peer().url().equals(self)) {
        others.add(s.peer());
      }
    }
    return others;
  }

  private static String checkPeer(String peer) {
    URI u;
    try {
      u = peer == null || peer.length() > 256 ? null : URI.create(peer);
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null || !"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() <= 0
        || !(u.getPath() == null || u.getPath().isEmpty()) || u.getQuery() != null) {
      throw new IllegalArgumentException("peer must be http://host:port, not '" + peer + "'");
    }
    return peer;
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
