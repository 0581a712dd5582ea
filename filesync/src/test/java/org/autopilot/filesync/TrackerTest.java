package org.autopilot.filesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The tracker as plain state on a manual clock. */
class TrackerTest {
  static final String HASH = "ab".repeat(32);
  Instant now = Instant.parse("2025-01-01T00:00:00Z");
  final Tracker tracker = new Tracker(() -> now, Duration.ofSeconds(5), Duration.ofMillis(500));

  static Tracker.Announce downloading(String peer, int... chunks) {
    return asking(peer, 0, chunks);
  }

  static Tracker.Announce asking(String peer, int seedWanted, int... chunks) {
    BitSet have = new BitSet();
    for (int c : chunks) {
      have.set(c);
    }
    return new Tracker.Announce(peer, 8, ChunkBitmap.encode(have), "", false, false, 0, seedWanted);
  }

  static BitSet leases(Tracker.View view) {
    return ChunkBitmap.decode(view.seedLeases(), 8);
  }

  @Test
  void aPeerSeesTheOthersWithTheirChunksButNotItself() {
    tracker.announce(HASH, downloading("http://127.0.0.1:2001", 0, 3));
    Tracker.View view = tracker.announce(HASH, downloading("http://127.0.0.1:2002", 1));

    assertThat(view.peers()).singleElement().satisfies(p -> {
      assertThat(p.url()).isEqualTo("http://127.0.0.1:2001");
      assertThat(ChunkBitmap.decode(p.have(), 8).stream()).containsExactly(0, 3);
    });
    assertThat(view.intervalMs()).isEqualTo(500);
  }

  @Test
  void seedLeasesGoToOnePeerEachAndOnlyForChunksNoPeerHolds() {
    tracker.announce(HASH, downloading("http://127.0.0.1:2001", 0, 1, 2));
    BitSet a = leases(tracker.announce(HASH, asking("http://127.0.0.1:2002", 2)));
    BitSet b = leases(tracker.announce(HASH, asking("http://127.0.0.1:2003", 2)));
    BitSet c = leases(tracker.announce(HASH, asking("http://127.0.0.1:2004", 2)));

    assertThat(a.cardinality()).isEqualTo(2);
    assertThat(b.cardinality()).isEqualTo(2);
    assertThat(c.cardinality()).as("only 5 chunks are open").isEqualTo(1);
    BitSet all = (BitSet) a.clone();
    all.or(b);
    all.or(c);
    assertThat(all.stream()).as("disjoint, none held by a peer").containsExactlyInAnyOrder(3, 4, 5, 6, 7);
    assertThat(leases(tracker.announce(HASH, asking("http://127.0.0.1:2002", 2)))).as("kept on re-announce").isEqualTo(a);
  }

  @Test
  void aLeaseEndsWhenItsChunkIsHeldOrItsHolderGoesOrItRunsOut() {
    BitSet a = leases(tracker.announce(HASH, asking("http://127.0.0.1:2002", 1)));
    int first = a.nextSetBit(0);
    BitSet next = leases(tracker.announce(HASH, asking("http://127.0.0.1:2002", 1, first)));
    assertThat(next.get(first)).isFalse();
    assertThat(next.cardinality()).as("a new chunk once the first is held").isEqualTo(1);

    tracker.announce(HASH, new Tracker.Announce("http://127.0.0.1:2002", 8, "", "", false, true, 0, 0));
    BitSet b = leases(tracker.announce(HASH, asking("http://127.0.0.1:2003", 7)));
    assertThat(b.cardinality()).as("the leaver's lease is free again; chunk " + first + " is not: nobody holds it now")
        .isEqualTo(7);

    for (int i = 0; i < 4; i++) {
      now = now.plusSeconds(4);
      assertThat(leases(tracker.announce(HASH, asking("http://127.0.0.1:2003", 0))).cardinality()).isEqualTo(7);
    }
    now = now.plusSeconds(4);
    assertThat(leases(tracker.announce(HASH, asking("http://127.0.0.1:2003", 0))).cardinality()).isZero();
    assertThat(leases(tracker.announce(HASH, asking("http://127.0.0.1:2004", 8))).cardinality())
        .as("leases run out after 4 x ttl").isEqualTo(8);
  }

  @Test
  void aCompletePeerGetsNoLeasesAndAnOutsiderSeesEveryone() {
    Tracker.View v = tracker.announce(HASH, new Tracker.Announce("http://127.0.0.1:2009", 8, "", "", true, false, 0, 3));
    tracker.announce(HASH, downloading("http://127.0.0.1:2001"));
    assertThat(leases(v).isEmpty()).isTrue();
    assertThat(tracker.view(HASH).peers()).hasSize(2);
    assertThat(tracker.view(HASH).seedLeases()).isEmpty();
  }

  @Test
  void silentPeersAreForgottenAfterTheTtlAndLeavingOnesAtOnce() {
    tracker.announce(HASH, downloading("http://127.0.0.1:2001"));
    tracker.announce(HASH, downloading("http://127.0.0.1:2002"));
    now = now.plusSeconds(4);
    tracker.announce(HASH, downloading("http://127.0.0.1:2002"));
    now = now.plusSeconds(2);

    assertThat(tracker.view(HASH).peers()).extracting(Tracker.Peer::url).containsExactly("http://127.0.0.1:2002");

    tracker.announce(HASH, new Tracker.Announce("http://127.0.0.1:2002", 8, "", "", false, true, 0, 0));
    assertThat(tracker.view(HASH).peers()).isEmpty();
  }

  @Test
  void onlyPlainHttpPeerAddressesAndHashesAreAccepted() {
    assertThatThrownBy(() -> tracker.announce(HASH, downloading("file:///etc/passwd")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.announce(HASH, downloading("http://127.0.0.1:1/x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tracker.announce("../x", downloading("http://127.0.0.1:2001")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bitmapsRoundTrip() {
    BitSet b = new BitSet();
    b.set(0);
    b.set(7);
    b.set(255);
    assertThat(ChunkBitmap.decode(ChunkBitmap.encode(b), 256)).isEqualTo(b);
    assertThat(ChunkBitmap.encode(b)).hasSizeLessThanOrEqualTo(43);
    b.clear(255);
    b.set(203);
    assertThat(ChunkBitmap.decode(ChunkBitmap.encode(b), 202).stream()).as("bits past the end dropped")
        .containsExactly(0, 7);
    assertThatThrownBy(() -> ChunkBitmap.decode("A".repeat(100), 16)).isInstanceOf(IllegalArgumentException.class);
  }
}
