package org.autopilot.devicemanager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real Ratis cluster on loopback with its logs on disk; suites run for 1 and 3 replicas. */
class RaftClusterTest {
  @TempDir Path dir;
  final Map<String, RatisReplica> live = new LinkedHashMap<>();
  Map<String, String> peers;

  void boot(int n, long snapshotEvery) throws IOException {
    peers = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      peers.put("dm" + i, "127.0.0.1:" + freePort());
    }
    for (String id : peers.keySet()) {
      start(id, snapshotEvery);
    }
  }

  void start(String id, long snapshotEvery) throws IOException {
    live.put(id, RatisReplica.start(new RaftSettings(id, peers, dir.resolve(id),
        Duration.ofMillis(300), Duration.ofMillis(600), snapshotEvery, 10_000, 2048, 0),
        InstantSource.system()));
  }

  void kill(String id) {
    live.remove(id).close();
  }

  @AfterEach
  void stopAll() {
    live.values().forEach(RatisReplica::close);
  }

  CommandResult send(DmCommand c) throws Exception {
    RatisReplica any = live.values().iterator().next();
    return any.submit(List.of(new Proposal("test", c))).get(20, TimeUnit.SECONDS).get(0);
  }

  String leader() throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      for (RatisReplica r : live.values()) {
        if (r.status().leading()) {
          return r.id();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within 10 s");
  }

  void awaitRevision(RatisReplica r, long revision) throws InterruptedException {
    for (int i = 0; i < 1000 && r.ledger().current().revision() < revision; i++) {
      Thread.sleep(10);
    }
    assertThat(r.ledger().current().revision()).as("revision on " + r.id()).isGreaterThanOrEqualTo(revision);
  }

  static RegisterMachine machine(int i) {
    return new RegisterMachine(MachineId.of("m" + i), "127.0.0.1:" + (20000 + i), "SHA256:k" + i,
        null, null, null, null, "test");
  }

  @ParameterizedTest(name = "{0} replicas")
  @ValueSource(ints = {1, 3})
  void acceptedCommandsReachEveryReplicaAndIllegalOnesChangeNothing(int n) throws Exception {
    boot(n, 10_000);
    assertThat(send(machine(1)).accepted()).isTrue();
    CommandResult illegal = send(new ChangeState(MachineId.of("m1"), 0, LifecycleState.HEALTHY, "skip"));
    CommandResult stale = send(new ChangeState(MachineId.of("m1"), 99, LifecycleState.PROVISIONING, ""));
    CommandResult ok = send(new ChangeState(MachineId.of("m1"), 1, LifecycleState.PROVISIONING, ""));

    assertThat(illegal.code()).isEqualTo(Rejection.ILLEGAL_TRANSITION);
    assertThat(stale.code()).isEqualTo(Rejection.STALE);
    assertThat(ok.accepted()).isTrue();
    for (RatisReplica r : live.values()) {
      awaitRevision(r, 2);
      assertThat(r.ledger().current().machine(MachineId.of("m1")).state())
          .isEqualTo(LifecycleState.PROVISIONING);
      assertThat(r.ledger().current().revision()).isEqualTo(2);
    }
    RatisReplica follower = live.values().stream().filter(r -> !r.status().leading()).findFirst()
        .orElse(live.values().iterator().next());
    assertThat(follower.readBarrier().get(10, TimeUnit.SECONDS)).isEqualTo(2);
  }

  @Test
  void killingTheLeaderLetsWritesResumeOnTheOthers() throws Exception {
    boot(3, 10_000);
    assertThat(send(machine(1)).accepted()).isTrue();
    String old = leader();
    kill(old);

    assertThat(send(machine(2)).accepted()).isTrue();
    String next = leader();
    assertThat(next).isNotEqualTo(old);
    for (RatisReplica r : live.values()) {
      awaitRevision(r, 2);
    }
  }

  @Test
  void aRestartedMemberCatchesUpThroughASnapshotAfterTheLogWasPurged() throws Exception {
    boot(3, 20);
    String victim = live.keySet().stream().filter(id -> {
      try {
        return !id.equals(leader());
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }).findFirst().orElseThrow();
    kill(victim);
    for (int i = 0; i < 120; i++) {
      assertThat(send(machine(i)).accepted()).isTrue();
    }
    RatisReplica leader = live.get(leader());
    assertThat(leader.status().firstLogIndex()).as("log purged past what the victim has")
        .isGreaterThan(10);
    start(victim, 20);
    awaitRevision(live.get(victim), 120);
    assertThat(live.get(victim).ledger().current().machines()).hasSize(120);
    try (Stream<Path> files = Files.walk(dir.resolve(leader()))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("snapshot.")))
          .as("snapshots on the leader's disk").isNotEmpty();
    }
  }

  @ParameterizedTest(name = "{0} replicas")
  @ValueSource(ints = {1, 3})
  void stoppingAndStartingEveryReplicaKeepsEveryAcknowledgedCommand(int n) throws Exception {
    boot(n, 25);
    List<CommandResult> acked = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      acked.add(send(machine(i)));
    }
    assertThat(acked).allMatch(CommandResult::accepted);
    List<String> ids = new ArrayList<>(live.keySet());
    ids.forEach(this::kill);
    for (String id : ids) {
      start(id, 25);
    }
    leader();
    assertThat(send(new DefineScaleUnit("su-after", "after restart")).accepted()).isTrue();
    for (RatisReplica r : live.values()) {
      awaitRevision(r, 61);
      Fleet f = r.ledger().current();
      for (int i = 0; i < 60; i++) {
        assertThat(f.machine(MachineId.of("m" + i))).as("m%d on %s", i, r.id()).isNotNull();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
