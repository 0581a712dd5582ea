package org.autopilot.devicemanager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.autopilot.devicemanager.command.Proposal;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.core.StorageFaultException;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Ratis replicas on disk whose log or snapshot is then damaged: a damaged replica refuses
 * to start, naming the file and what is wrong, and changes nothing on disk.
 *
 * <p>Damage is done to a <em>crash image</em>: a copy of the data directory taken while the
 * replica runs, once every write was acknowledged (hence fsynced) and the durable mark written.
 * That is what {@code kill -9} leaves behind; a clean stop instead snapshots and purges the log.
 */
class StorageCorruptionTest {
  @TempDir Path dir;
  final Map<String, RatisReplica> live = new LinkedHashMap<>();
  Map<String, String> peers;

  @AfterEach
  void stopAll() {
    live.values().forEach(RatisReplica::close);
  }

  RaftSettings settings(String id, Path data, long snapshotEvery) {
    return new RaftSettings(id, peers, data, Duration.ofMillis(300), Duration.ofMillis(600),
        snapshotEvery, 10_000, 2048, 0);
  }

  RatisReplica start(String id, Path data, long snapshotEvery) throws IOException {
    RatisReplica r = RatisReplica.start(settings(id, data, snapshotEvery), InstantSource.system());
    live.put(id, r);
    return r;
  }

  void boot(int n, long snapshotEvery) throws IOException {
    peers = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      peers.put("dm" + i, "127.0.0.1:" + LocalCluster.freePort());
    }
    for (String id : peers.keySet()) {
      start(id, dir.resolve(id), snapshotEvery);
    }
  }

  void register(int from, int to) throws Exception {
    RatisReplica any = live.values().iterator().next();
    for (int i = from; i < to; i++) {
      any.submit(List.of(new Proposal("test", new RegisterMachine(MachineId.of("m" + i),
          "127.0.0.1:" + (20000 + i), "SHA256:k" + i, null, null, null, null, "test"))))
          .get(20, TimeUnit.SECONDS);
    }
  }

  /** A copy of {@code id}'s data directory as a crash would leave it, at {@code <dir>/<id>-crash}. */
  Path crashImage(String id) throws Exception {
    RatisReplica r = live.get(id);
    long durable = r.durableIndex();
    for (int i = 0; i < 300 && r.durableIndexMarked() < durable; i++) {
      Thread.sleep(20);
    }
    assertThat(r.durableIndexMarked()).as("durable mark of " + id).isGreaterThanOrEqualTo(durable);
    Path from = dir.resolve(id);
    Path to = dir.resolve(id + "-crash");
    // a snapshot taken meanwhile purges segments: copy again until no file vanished mid-copy
    for (int attempt = 1; ; attempt++) {
      if (Files.exists(to)) {
        deleteTree(to);
      }
      try (Stream<Path> s = Files.walk(from)) {
        for (Path p : s.toList()) {
          Path t = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else if (!p.getFileName().toString().equals("in_use.lock")) {
            Files.copy(p, t);
          }
        }
        return to;
      } catch (java.nio.file.NoSuchFileException | java.io.UncheckedIOException vanished) {
        assertThat(attempt).as("copies of " + from + " spoiled by files vanishing").isLessThan(20);
        Thread.sleep(100);
      }
    }
  }

  /** One replica with 40 commands, each its own log entry, in 2 KiB segments; its crash image. */
  Path singleReplicaImage() throws Exception {
    boot(1, 100_000);
    register(0, 40);
    Path image = crashImage("dm1");
    live.remove("dm1").close();
    return image;
  }

  static Path find(Path data, String regex) throws IOException {
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(p -> p.getFileName().toString().matches(regex))
          .min(Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
    }
  }

  static Path newestSnapshot(Path data) throws IOException {
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(p -> p.getFileName().toString().matches("snapshot\\.\\d+_\\d+"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
          .orElseThrow();
    }
  }

  static void flip(Path f, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x40);
    }
  }

  static long endOfEntries(Path f) throws IOException {
    byte[] b = Files.readAllBytes(f);
    int i = b.length - 1;
    while (i > 0 && b[i] == 0) {
      i--;
    }
    return i + 1;
  }

  static void truncate(Path f, long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(length);
    }
  }

  static Map<String, byte[]> contents(Path data) throws IOException {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.walk(data)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(data.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void awaitMachines(RatisReplica r, int n) throws InterruptedException {
    for (int i = 0; i < 1000 && r.ledger().current().machines().size() < n; i++) {
      Thread.sleep(20);
    }
  }

  void assertRefused(Path image, String file, String... problem) throws IOException {
    Map<String, byte[]> before = contents(image);
    assertThatThrownBy(() -> start("dm1", image, 100_000))
        .isInstanceOf(StorageFaultException.class)
        .satisfies(e -> assertThat(((StorageFaultException) e).file()).contains(file))
        .hasMessageContaining("refuses to start")
        .hasMessageContainingAll(problem);
    Map<String, byte[]> after = contents(image);
    assertThat(after.keySet()).as("files after the refusal").isEqualTo(before.keySet());
    after.forEach((k, v) -> assertThat(v).as(k + " unchanged").isEqualTo(before.get(k)));
  }

  @Test
  void anIntactCrashImageStartsWithEverything() throws Exception {
    Path image = singleReplicaImage();
    RatisReplica r = start("dm1", image, 100_000);
    awaitMachines(r, 40);
    assertThat(r.ledger().current().machines()).hasSize(40);
  }

  @Test
  void aFlippedByteInAClosedSegmentIsRefusedNamingTheFile() throws Exception {
    Path image = singleReplicaImage();
    Path segment = find(image, "log_0-\\d+");
    flip(segment, Files.size(segment) / 2);
    assertRefused(image, segment.getFileName().toString(), "fails its checksum");
  }

  @Test
  void aFlippedByteInTheOpenSegmentIsRefusedNamingTheFile() throws Exception {
    Path image = singleReplicaImage();
    Path segment = find(image, "log_inprogress_\\d+");
    flip(segment, 20);
    assertRefused(image, segment.getFileName().toString(), "fails its checksum");
  }

  /**
   * Ratis alone takes a cut-short open segment for a write torn by a crash: it drops the tail
   * quietly, cuts the file there and starts without acknowledged entries (shown below with the
   * durable mark removed). The mark makes the replica refuse instead.
   */
  @Test
  void aTruncatedOpenSegmentIsRefusedBecauseTheDurableMarkIsNotReached() throws Exception {
    Path image = singleReplicaImage();
    Path segment = find(image, "log_inprogress_\\d+");
    truncate(segment, endOfEntries(segment) - 300);
    assertRefused(image, segment.getFileName().toString(), "durable-index", "were lost",
        "cut short at offset");

    Files.delete(image.resolve("durable-index"));
    RatisReplica unguarded = start("dm1", image, 100_000);
    Thread.sleep(3000); // time to replay all it has (it has fewer than 40)
    assertThat(unguarded.ledger().current().machines())
        .as("what Ratis alone serves from the truncated log: acknowledged machines gone")
        .hasSizeLessThan(40);
  }

  @Test
  void aTruncatedClosedSegmentIsRefusedNamingTheFile() throws Exception {
    Path image = singleReplicaImage();
    Path segment = find(image, "log_0-\\d+");
    truncate(segment, Files.size(segment) - 200);
    assertRefused(image, segment.getFileName().toString(), "cut short");
  }

  @Test
  void garbageAfterTheLastEntryIsRefused() throws Exception {
    Path image = singleReplicaImage();
    Path segment = find(image, "log_inprogress_\\d+");
    long end = endOfEntries(segment);
    try (RandomAccessFile raf = new RandomAccessFile(segment.toFile(), "rw")) {
      raf.seek(end + 16);
      raf.write(new byte[] {0x13, 0x37});
    }
    assertRefused(image, segment.getFileName().toString(), "garbage");
  }

  @Test
  void aMissingFirstSegmentWithoutASnapshotIsRefused() throws Exception {
    Path image = singleReplicaImage();
    Files.delete(find(image, "log_0-\\d+"));
    assertRefused(image, "log_", "there is no snapshot", "are missing");
  }

  @Test
  void aCorruptSnapshotIsRefusedNamingTheFile() throws Exception {
    boot(1, 10);
    register(0, 40);
    Path image = crashImage("dm1");
    live.remove("dm1").close();
    Path snapshot = newestSnapshot(image);
    flip(snapshot, 20);
    assertRefused(image, snapshot.getFileName().toString(), "MD5", "corrupt snapshot");
  }

  /** Ratis would load the older snapshot and serve it, with a hole before the log's first entry. */
  @Test
  void aDeletedNewestSnapshotIsRefusedAsAHoleBeforeTheLog() throws Exception {
    boot(1, 10);
    register(0, 40);
    Path image = crashImage("dm1");
    live.remove("dm1").close();
    Path snapshot = newestSnapshot(image);
    Files.delete(snapshot);
    Files.delete(snapshot.resolveSibling(snapshot.getFileName() + ".md5"));
    assertRefused(image, "log_", "the snapshot ends at index", "are missing");
  }

  @Test
  void aCorruptDurableMarkIsRefused() throws Exception {
    Path image = singleReplicaImage();
    Files.writeString(image.resolve("durable-index"), "x".repeat(128));
    assertRefused(image, "durable-index", "corrupt");
  }

  String leader() throws InterruptedException {
    for (int i = 0; i < 750; i++) {
      for (RatisReplica r : live.values()) {
        if (r.status().leading()) {
          return r.id();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within 15 s");
  }

  static Path newestSegmentWithEntries(Path data) throws IOException {
    try (Stream<Path> s = Files.walk(data)) {
      return s.filter(p -> p.getFileName().toString().matches("log_(inprogress_)?\\d+(-\\d+)?"))
          .filter(p -> {
            try {
              return endOfEntries(p) > 64;
            } catch (IOException e) {
              return false;
            }
          })
          .max(Comparator.comparingLong(p -> Long.parseLong(
              p.getFileName().toString().replaceAll("log_(inprogress_)?(\\d+).*", "$2"))))
          .orElseThrow();
    }
  }

  static void deleteTree(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  /**
   * Three replicas, one of which crashes and comes back with a flipped byte in its log: it
   * refuses to start, the two others go on accepting writes, and once the operator moves its
   * data directory aside it re-joins empty and receives the leader's snapshot (the leader's log
   * no longer starts at 0, so the snapshot is the only way back).
   */
  @Test
  void aCorruptMemberOfThreeRefusesTheOthersServeAndItRejoinsFromASnapshotOnceWiped() throws Exception {
    boot(3, 10);
    register(0, 30);
    String leader = leader();
    String victim = peers.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    Path image = crashImage(victim);
    live.remove(victim).close();
    Path data = dir.resolve(victim);
    deleteTree(data);
    Files.move(image, data);
    Path segment = newestSegmentWithEntries(data);
    flip(segment, 20);

    assertThatThrownBy(() -> start(victim, data, 10))
        .isInstanceOf(StorageFaultException.class)
        .hasMessageContaining(segment.getFileName().toString())
        .hasMessageContaining("fails its checksum");

    register(30, 50);
    for (RatisReplica r : live.values()) {
      awaitMachines(r, 50);
      assertThat(r.ledger().current().machines()).as("machines on " + r.id()).hasSize(50);
    }
    assertThat(live.get(leader).status().firstLogIndex()).as("leader's log purged").isGreaterThan(0);

    Files.move(data, dir.resolve(victim + "-aside"));
    RatisReplica back = start(victim, data, 10);
    awaitMachines(back, 50);
    assertThat(back.ledger().current().machines()).as("machines on the re-joined " + victim).hasSize(50);
  }
}
