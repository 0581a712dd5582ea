package org.autopilot.filesync;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds which chunks of which blob: peers announce themselves (the base URI of their
 * {@link BlobServer}), the chunks they hold and the chunks they are fetching, and get back the
 * swarm's state. A peer not heard from for {@code ttl} is forgotten. The tracker also deals out
 * stripes: the peers still downloading, ordered by URI, are numbered 0..n-1, and peer k is asked
 * to take from the seeds the chunks whose index is k mod n, so the seeds send each chunk about
 * once. Hosted over HTTP by {@link BlobServer#hostTracker(Tracker)}; plain state otherwise (the
 * clock is an input). Thread-safe.
 */
public final class Tracker {
  /** Most swarms tracked at once and most peers per swarm; announces beyond are answered, not recorded. */
  static final int MAX_SWARMS = 4096;
  static final int MAX_PEERS = 2048;
  private static final int MAX_BITMAP = 1 << 16;
  private final InstantSource clock;
  private final Duration ttl;
  private final Duration interval;
  private final Map<String, Map<String, Seen>> swarms = new HashMap<>();

  /**
   * A peer's report.
   *
   * @param peer base URI of the peer's blob server, {@code http://host:port}
   * @param have {@link ChunkBitmap} of the chunks it holds, verified
   * @param fetching {@link ChunkBitmap} of the chunks it is downloading now
   * @param complete whether it holds the whole blob
   * @param leaving whether it is going away (it is forgotten at once)
   * @param load transfers its server is sending now
   */
  public record Announce(String peer, String have, String fetching, boolean complete, boolean leaving, int load) {}

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
   * @param stripe the asking peer's stripe, 0 &lt;= stripe &lt; stripes
   * @param stripes number of peers still downloading (at least 1)
   * @param intervalMs how often to announce again
   */
  public record View(List<Peer> peers, int stripe, int stripes, long intervalMs) {}

  private record Seen(Peer peer, Instant at) {}

  /** A tracker forgetting silent peers after {@code ttl}, asking for announces every {@code interval}. */
  public Tracker(InstantSource clock, Duration ttl, Duration interval) {
    if (ttl.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("ttl " + ttl + " must exceed the announce interval " + interval);
    }
    this.clock = clock;
    this.ttl = ttl;
    this.interval = interval;
  }

  /** A tracker on the system clock: announce every 500 ms, forget after 5 s of silence. */
  public Tracker() {
    this(InstantSource.system(), Duration.ofSeconds(5), Duration.ofMillis(500));
  }

  /** Records {@code a} for {@code hash} and returns the swarm as {@code a.peer()} sees it. */
  public synchronized View announce(String hash, Announce a) {
    ContentStore.checkHash(hash);
    String self = checkPeer(a.peer());
    if (length(a.have()) > MAX_BITMAP || length(a.fetching()) > MAX_BITMAP) {
      throw new IllegalArgumentException("bitmap too long");
    }
    Instant now = clock.instant();
    Map<String, Seen> swarm = live(hash, now);
    if (swarm != null && a.leaving()) {
      swarm.remove(self);
    } else if (swarm != null && (swarm.containsKey(self) || swarm.size() < MAX_PEERS)) {
      swarm.put(self, new Seen(new Peer(self, nullToEmpty(a.have()), nullToEmpty(a.fetching()),
          a.complete(), Math.max(0, a.load())), now));
    }
    return view(swarm, self);
  }

  /** The swarm of {@code hash} as an outsider sees it (stripe 0 of at least 1). */
  public synchronized View view(String hash) {
    ContentStore.checkHash(hash);
    return view(live(hash, clock.instant()), null);
  }

  /** Live peers of {@code hash} after dropping the silent ones; null when no room for a new swarm. */
  private Map<String, Seen> live(String hash, Instant now) {
    swarms.values().forEach(s -> s.values().removeIf(seen -> seen.at().plus(ttl).isBefore(now)));
    swarms.values().removeIf(Map::isEmpty);
    if (!swarms.containsKey(hash) && swarms.size() >= MAX_SWARMS) {
      return null;
    }
    return swarms.computeIfAbsent(hash, h -> new LinkedHashMap<>());
  }

  private View view(Map<String, Seen> swarm, String self) {
    List<Peer> others = new ArrayList<>();
    List<String> downloading = new ArrayList<>();
    if (swarm != null) {
      for (Seen s : swarm.values()) {
        if (!s.peer().url().equals(self)) {
          others.add(s.peer());
        }
        if (!s.peer().complete()) {
          downloading.add(s.peer().url());
        }
      }
    }
    downloading.sort(Comparator.naturalOrder());
    int stripe = Math.max(0, downloading.indexOf(self));
    return new View(others, stripe, Math.max(1, downloading.size()), interval.toMillis());
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
