package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.api.Test;

class LedgerAndSnapshotTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static List<Proposal> setup() {
    List<Proposal> ps = new ArrayList<>();
    for (DmCommand c : List.of(type("web"), unit("su-1"), register("m1", "web", "su-1"),
        register("m2", "web", "su-1"), move("m1", LifecycleState.PROVISIONING),
        health("m2", Health.ERROR), new AcquireLease("repair", "r1", 30_000, "start"),
        registerManifest("web", "1", "web"),
        new AssignManifest(ids("m1"), ref("web@1"), "pre-load"),
        new ActivateManifest(ids("m1"), ref("web@1"), "go"),
        new ReportSoftware(MachineId.of("m1"), List.of(ref("web@1")), ref("web@1"),
            List.of(new AppStatus("app", AppStatus.State.RUNNING, 0, "up")), ""))) {
      ps.add(new Proposal("admin", c));
    }
    return ps;
  }

  @Test
  void aSnapshotRestoresExactlyTheSameFleet() throws Exception {
    FleetLedger ledger = new FleetLedger(100);
    ledger.apply(T0, setup());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ledger.snapshot(out);

    FleetLedger restored = new FleetLedger(100);
    restored.restore(new ByteArrayInputStream(out.toByteArray()));

    assertThat(restored.current()).isEqualTo(ledger.current());
    assertThat(restored.current().revision()).isEqualTo(11);
    assertThat(restored.current().machine(MachineId.of("m1")).software().converged()).isTrue();
    ledger.close();
    restored.close();
  }

  @Test
  void aStampedLogEntryRoundTripsAndAppliesInOrder() {
    byte[] entry = LogBatch.stamp(LogBatch.encodeProposals(setup()), T0.toEpochMilli());
    LogBatch batch = LogBatch.decode(entry);
    assertThat(batch.at()).isEqualTo(T0);
    assertThat(batch.proposals()).isEqualTo(setup());

    FleetLedger ledger = new FleetLedger(100);
    String answers = new String(ledger.applyEntry(entry), StandardCharsets.UTF_8);
    assertThat(answers).startsWith("[{\"accepted\":true,\"revision\":1");
    assertThat(ledger.current().clock()).isEqualTo(T0);
    ledger.close();
  }

  @Test
  void theLeaderClockNeverRunsBackwardsAcrossBatches() {
    FleetLedger ledger = new FleetLedger(100);
    ledger.apply(T0, List.of(new Proposal("a", type("web"))));
    ledger.apply(T0.minusSeconds(30), List.of(new Proposal("a", unit("su-1"))));
    assertThat(ledger.current().clock()).isEqualTo(T0);
    assertThat(ledger.current().events().get(2L).at()).isEqualTo(T0);
    ledger.close();
  }

  @Test
  void aMalformedEntryIsAnsweredWithAnErrorAndChangesNothing() {
    FleetLedger ledger = new FleetLedger(100);
    ledger.apply(T0, setup());
    Fleet before = ledger.current();

    String answer = new String(ledger.applyEntry("{\"format\":1,\"at\":5,\"proposals\":[{\"bogus\":1}]}"
        .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);

    assertThat(answer).contains("\"accepted\":false", "INVALID", "malformed log entry");
    assertThat(ledger.current()).isSameAs(before);
    ledger.close();
  }

  @Test
  void aWatchReturnsOnChangeAndOnTimeout() throws Exception {
    FleetLedger ledger = new FleetLedger(100);
    CompletableFuture<Fleet> waiting = ledger.watch().await(0, Duration.ofSeconds(30));
    assertThat(waiting).isNotDone();
    assertThat(ledger.watch().openWatches()).isEqualTo(1);

    ledger.apply(T0, List.of(new Proposal("a", type("web"))));
    assertThat(waiting.get(5, java.util.concurrent.TimeUnit.SECONDS).revision()).isEqualTo(1);

    CompletableFuture<Fleet> idle = ledger.watch().await(1, Duration.ofMillis(200));
    assertThat(idle.get(5, java.util.concurrent.TimeUnit.SECONDS).revision())
        .as("timed out with the unchanged fleet").isEqualTo(1);
    assertThat(ledger.watch().await(0, Duration.ofSeconds(30))).as("already newer").isDone();
    ledger.close();
  }

  @Test
  void answeredWatchesLeaveNoTimersBehind() throws Exception {
    FleetLedger ledger = new FleetLedger(100);
    List<CompletableFuture<Fleet>> watches = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      watches.add(ledger.watch().await(0, Duration.ofMinutes(5)));
    }
    assertThat(ledger.watch().pendingTimeouts()).isGreaterThanOrEqualTo(1000);
    ledger.apply(T0, List.of(new Proposal("a", type("web"))));
    for (CompletableFuture<Fleet> w : watches) {
      assertThat(w.get(5, java.util.concurrent.TimeUnit.SECONDS).revision()).isEqualTo(1);
    }
    assertThat(ledger.watch().pendingTimeouts()).as("only the periodic sweep").isLessThanOrEqualTo(1);
    ledger.close();
  }
}
