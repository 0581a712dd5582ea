package org.autopilot.filesync;

import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Decides which chunk to download next and from where. Pure: the swarm as last seen, this
 * fetcher's own state and a {@link Random} go in, a pick comes out.
 *
 * <p>Seeds first, to keep them busy with what only they have: a chunk is taken from a seed only
 * if no peer holds it and the tracker leased it to this fetcher (so each chunk leaves the seeds
 * about once); without leases (no tracker, or no recent answer from it) any chunk no peer holds
 * or is fetching. Then peers: rarest first (fewest peers holding it), ties broken at random,
 * among the first {@code window} chunks not held here, or among all chunks if none of those can
 * be had now. The window keeps the verified prefix growing, so the whole-file hash is computed
 * while the file arrives instead of in one pass at the end (rarest-first alone takes the newest
 * chunks first and leaves holes at the front). Each chunk comes from the less loaded (its announced uploads plus this fetcher's transfers from it) of two holders
 * drawn at random: every fetcher sees the same, slightly stale, loads, and sending all of them
 * to the least loaded holder would only pile them up there. A chunk some peer holds is never
 * taken from a seed.
 */
final class ChunkPicker {
  private ChunkPicker() {}

  /**
   * A peer as this fetcher sees it.
   *
   * @param url base URI of its blob server
   * @param have chunks it holds
   * @param fetching chunks it is downloading
   * @param load transfers its server was sending when it last announced
   */
  record Peer(URI url, BitSet have, BitSet fetching, int load) {}

  /**
   * Everything a pick depends on.
   *
   * @param count number of chunks of the blob
   * @param held chunks held here
   * @param inFlight chunks being downloaded here
   * @param peers the other peers (banned ones already left out)
   * @param seeds sources holding the whole blob
   * @param leases chunks the tracker leased to this fetcher to take from the seeds; null = no
   *     leases known
   * @param transfersBySource this fetcher's transfers in flight, by source
   * @param resting sources not to be asked now (backing off)
   * @param perPeer most transfers from one peer at once
   * @param perSeed most transfers from one seed at once
   * @param window how many of the first chunks not held here are preferred (0 = no preference)
   */
  record Situation(int count, BitSet held, BitSet inFlight, List<Peer> peers, List<URI> seeds,
      BitSet leases, Map<URI, Integer> transfersBySource, Set<URI> resting,
      int perPeer, int perSeed, int window) {}

  /**
   * A chunk to download.
   *
   * @param chunk its index
   * @param source where from
   * @param seed whether the source is a seed
   */
  record Pick(int chunk, URI source, boolean seed) {}

  /** The next transfer to start, if any. */
  static Optional<Pick> next(Situation s, Random random) {
    return next(s, holders(s.peers(), s.count()), 1, random).stream().findFirst();
  }

  /** How many of {@code peers} hold each of {@code count} chunks. */
  static int[] holders(List<Peer> peers, int count) {
    int[] holders = new int[count];
    for (Peer p : peers) {
      for (int c = p.have().nextSetBit(0); c >= 0 && c < count; c = p.have().nextSetBit(c + 1)) {
        holders[c]++;
      }
    }
    return holders;
  }

  /**
   * Up to {@code slots} transfers to start now, each picked as if the ones before it had started;
   * {@code holders} is {@link #holders} of the situation's peers.
   */
  static List<Pick> next(Situation s, int[] holders, int slots, Random random) {
    BitSet inFlight = (BitSet) s.inFlight().clone();
    Map<URI, Integer> busy = new HashMap<>(s.transfersBySource());
    List<Pick> picks = new ArrayList<>();
    while (picks.size() < slots) {
      Situation now = new Situation(s.count(), s.held(), inFlight, s.peers(), s.seeds(), s.leases(), busy,
          s.resting(), s.perPeer(), s.perSeed(), s.window());
      Optional<Pick> pick = fromSeed(now, random);
      if (pick.isEmpty()) {
        pick = fromPeer(now, holders, random);
      }
      if (pick.isEmpty()) {
        break;
      }
      picks.add(pick.get());
      inFlight.set(pick.get().chunk());
      busy.merge(pick.get().source(), 1, Integer::sum);
    }
    return picks;
  }

  private static Optional<Pick> fromSeed(Situation s, Random random) {
    URI seed = null;
    int best = Integer.MAX_VALUE;
    int ties = 0;
    for (URI u : s.seeds()) {
      int busy = s.transfersBySource().getOrDefault(u, 0);
      if (busy < s.perSeed() && !s.resting().contains(u)) {
        if (busy < best) {
          best = busy;
          seed = u;
          ties = 1;
        } else if (busy == best && random.nextInt(++ties) == 0) {
          seed = u;
        }
      }
    }
    if (seed == null) {
      return Optional.empty();
    }
    BitSet open = wanted(s);
    for (Peer p : s.peers()) {
      open.andNot(p.have());
      if (s.leases() == null) {
        open.andNot(p.fetching());
      }
    }
    if (s.leases() != null) {
      open.and(s.leases());
    }
    int chunk = randomMember(open, random);
    return chunk < 0 ? Optional.empty() : Optional.of(new Pick(chunk, seed, true));
  }

  private static Optional<Pick> fromPeer(Situation s, int[] holders, Random random) {
    BitSet reachable = new BitSet(s.count());
    for (Peer p : s.peers()) {
      if (usable(s, p)) {
        reachable.or(p.have());
      }
    }
    BitSet candidates = wanted(s);
    candidates.and(reachable);
    if (s.window() > 0) {
      BitSet front = new BitSet(s.count());
      int end = s.count();
      int n = 0;
      for (int c = s.held().nextClearBit(0); c < s.count(); c = s.held().nextClearBit(c + 1)) {
        if (++n > s.window()) {
          end = c;
          break;
        }
      }
      front.set(0, end);
      front.and(candidates);
      if (!front.isEmpty()) {
        candidates = front;
      }
    }
    int chunk = -1;
    int rarest = Integer.MAX_VALUE;
    int ties = 0;
    for (int c = candidates.nextSetBit(0); c >= 0; c = candidates.nextSetBit(c + 1)) {
      if (holders[c] < rarest) {
        rarest = holders[c];
        chunk = c;
        ties = 1;
      } else if (holders[c] == rarest && random.nextInt(++ties) == 0) {
        chunk = c;
      }
    }
    if (chunk < 0) {
      return Optional.empty();
    }
    List<Peer> sources = new ArrayList<>();
    for (Peer p : s.peers()) {
      if (usable(s, p) && p.have().get(chunk)) {
        sources.add(p);
      }
    }
    Peer from = sources.get(random.nextInt(sources.size()));
    if (sources.size() > 1) {
      Peer other = sources.get(random.nextInt(sources.size()));
      if (load(s, other) < load(s, from)) {
        from = other;
      }
    }
    return Optional.of(new Pick(chunk, from.url(), false));
  }

  private static int load(Situation s, Peer p) {
    return p.load() + s.transfersBySource().getOrDefault(p.url(), 0);
  }

  private static boolean usable(Situation s, Peer p) {
    return !s.resting().contains(p.url()) && s.transfersBySource().getOrDefault(p.url(), 0) < s.perPeer();
  }

  /** Chunks neither held nor in flight here. */
  private static BitSet wanted(Situation s) {
    BitSet w = new BitSet(s.count());
    w.set(0, s.count());
    w.andNot(s.held());
    w.andNot(s.inFlight());
    return w;
  }

  private static int randomMember(BitSet set, Random random) {
    int n = set.cardinality();
    if (n == 0) {
      return -1;
    }
    int skip = random.nextInt(n);
    int c = set.nextSetBit(0);
    for (int i = 0; i < skip; i++) {
      c = set.nextSetBit(c + 1);
    }
    return c;
  }
}
