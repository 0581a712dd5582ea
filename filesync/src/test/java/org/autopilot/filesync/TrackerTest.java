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
    BitSet have = new BitSet();
    for (int c : chunks) {
      have.set(c);
    }
    return new Tracker.Announce(peer, ChunkBitmap.encode(have), "", false, false, 0);
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
  void stripesNumberTheDownloadingPeersInUriOrder() {
    tracker.announce(HASH, downloading("http://127.0.0.1:2003"));
    tracker.announce(HASH, downloading("http://127.0.0.1:2001"));
    tracker.announce(HASH, new Tracker.Announce("http://127.0.0.1:2009", "", "", true, false, 0));

    Tracker.View view = tracker.announce(HASH, downloading("http://127.0.0.1:2002"));

    assertThat(view.stripes()).as("the complete peer takes no stripe").isEqualTo(3);
    assertThat(view.stripe()).isEqualTo(1);
    assertThat(tracker.view(HASH).peers()).hasSize(4);
  }

  @Test
  void silentPeersAreForgottenAfterTheTtlAndLeavingOnesAtOnce() {
    tracker.announce(HASH, downloading("http://127.0.0.1:2001"));
    tracker.announce(HASH, downloading("http://127.0.0.1:2002"));
    now = now.plusSeconds(4);
    tracker.announce(HASH, downloading("http://127.0.0.1:2002"));
    now = now.plusSeconds(2);

    assertThat(tracker.view(HASH).peers()).extracting(Tracker.Peer::url).containsExactly("http://127.0.0.1:2002");

    tracker.announce(HASH, new Tracker.Announce("http://127.0.0.1:2002", "", "", false, true, 0));
    assertThat(tracker.view(HASH).peers()).isEmpty();
    assertThat(tracker.view(HASH).stripes()).isEqualTo(1);
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
