package org.autopilot.filesync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Chunk and source choice as a pure function. */
class ChunkPickerTest {
  static final URI SEED = URI.create("http://127.0.0.1:1000");
  static final URI A = URI.create("http://127.0.0.1:2001");
  static final URI B = URI.create("http://127.0.0.1:2002");
  static final int COUNT = 16;
  BitSet held = new BitSet();
  BitSet inFlight = new BitSet();
  List<ChunkPicker.Peer> peers = new ArrayList<>();
  Map<URI, Integer> busy = new HashMap<>();
  Set<URI> resting = new HashSet<>();
  BitSet leases = null;
  int window = 0;

  static BitSet bits(int... chunks) {
    BitSet b = new BitSet();
    for (int c : chunks) {
      b.set(c);
    }
    return b;
  }

  Optional<ChunkPicker.Pick> pick(Random random) {
    return ChunkPicker.next(new ChunkPicker.Situation(COUNT, held, inFlight, peers, List.of(SEED),
        leases, busy, resting, 2, 1, window), random);
  }

  @Test
  void aSeedIsAskedOnlyForLeasedChunksNoPeerHolds() {
    BitSet all = new BitSet();
    all.set(0, COUNT);
    all.clear(5, 9);
    peers.add(new ChunkPicker.Peer(A, all, bits(5), 0));
    leases = bits(2, 7, 8);
    Set<Integer> fromSeed = new HashSet<>();
    Random random = new Random(1);
    for (int i = 0; i < 50; i++) {
      pick(random).filter(ChunkPicker.Pick::seed).ifPresent(p -> fromSeed.add(p.chunk()));
    }
    assertThat(fromSeed).as("2 is held by A; 5 and 6 are not leased").containsExactlyInAnyOrder(7, 8);
  }

  @Test
  void withoutLeasesASeedIsAskedForAnyChunkNoPeerHoldsOrFetches() {
    BitSet all = new BitSet();
    all.set(0, COUNT);
    all.clear(5, 9);
    peers.add(new ChunkPicker.Peer(A, all, bits(5), 0));
    Set<Integer> fromSeed = new HashSet<>();
    Random random = new Random(1);
    for (int i = 0; i < 50; i++) {
      pick(random).filter(ChunkPicker.Pick::seed).ifPresent(p -> fromSeed.add(p.chunk()));
    }
    assertThat(fromSeed).containsExactlyInAnyOrder(6, 7, 8);
  }

  @Test
  void peersServeTheRarestChunkPreferablyFromTheLessLoadedHolder() {
    busy.put(SEED, 1);
    peers.add(new ChunkPicker.Peer(A, bits(0, 1, 2), new BitSet(), 3));
    peers.add(new ChunkPicker.Peer(B, bits(0, 1), new BitSet(), 0));

    ChunkPicker.Pick p = pick(new Random(1)).orElseThrow();
    assertThat(p).isEqualTo(new ChunkPicker.Pick(2, A, false));

    held.set(2);
    Map<URI, Integer> chosen = new HashMap<>();
    Random random = new Random(1);
    for (int i = 0; i < 200; i++) {
      chosen.merge(pick(random).orElseThrow().source(), 1, Integer::sum);
    }
    assertThat(chosen.get(B)).as("B carries no load: the better of two draws, 3 times in 4")
        .isBetween(130, 170);
  }

  @Test
  void restingAndFullSourcesAreNotAskedAndTiesBreakAtRandomReproducibly() {
    peers.add(new ChunkPicker.Peer(A, bits(0, 1, 2, 3), new BitSet(), 0));
    peers.add(new ChunkPicker.Peer(B, bits(0, 1, 2, 3), new BitSet(), 0));
    resting.add(A);
    resting.add(SEED);
    assertThat(pick(new Random(7)).orElseThrow().source()).isEqualTo(B);

    busy.put(B, 2);
    assertThat(pick(new Random(7))).as("B is at its per-peer cap, A and the seed rest").isEmpty();

    resting.clear();
    busy.clear();
    Set<Integer> chunks = new HashSet<>();
    Random random = new Random(1);
    for (int i = 0; i < 40; i++) {
      long seed = random.nextLong();
      ChunkPicker.Pick p = pick(new Random(seed)).orElseThrow();
      assertThat(p.seed()).isTrue();
      assertThat(p.chunk()).as("the seed is never asked for what peers hold").isGreaterThanOrEqualTo(4);
      assertThat(pick(new Random(seed))).as("same seed, same pick").contains(p);
      chunks.add(p.chunk());
    }
    assertThat(chunks).as("ties broken at random").hasSizeGreaterThan(4);
  }

  @Test
  void withAWindowTheRarestOfTheFirstMissingChunksComesFirstAndOthersOnlyWhenNoneOfThemCanBeHad() {
    busy.put(SEED, 1);
    held.set(0, 4);
    window = 3;
    peers.add(new ChunkPicker.Peer(A, bits(4, 5, 6, 7, 8, 9), new BitSet(), 0));
    peers.add(new ChunkPicker.Peer(B, bits(5, 6, 7, 8, 9, 12), new BitSet(), 0));
    assertThat(pick(new Random(1)).orElseThrow().chunk()).as("4, 5, 6 are the window; 4 is rarest").isEqualTo(4);

    inFlight.set(4, 7);
    assertThat(pick(new Random(1)).orElseThrow().chunk()).as("nothing left to start in the window: rarest overall")
        .isEqualTo(12);
  }

  @Test
  void nothingIsPickedTwiceOrWhenEverythingIsHeld() {
    held.set(0, COUNT - 1);
    inFlight.set(COUNT - 1);
    assertThat(pick(new Random(1))).isEmpty();
  }
}
