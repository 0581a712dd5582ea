package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.watchdogs.service.FleetVerdicts.Outcome;
import org.autopilot.watchdogs.service.FleetVerdicts.Telling;
import org.autopilot.watchdogs.service.ReportParser.IntakeReport;
import org.junit.jupiter.api.Test;

/** The change rules, as scripts: given what the DM was told, when a report comes, then what is untold. */
class FleetVerdictsTest {
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  final FleetVerdicts fleet = new FleetVerdicts(clock);
  final MachineId m1 = MachineId.of("m1");

  FleetVerdictsTest() {
    fleet.learn(known(m1));
  }

  /** A machine the DM has had a heartbeat OK for (so a first report is news only for what it says). */
  static Machine known(MachineId id) {
    java.util.SortedMap<String, org.autopilot.devicemanager.model.WatchdogState> hb = new java.util.TreeMap<>();
    hb.put("heartbeat", new org.autopilot.devicemanager.model.WatchdogState("heartbeat", Health.OK,
        "reporting", Instant.EPOCH, 1));
    return Machine.discovered(id, "127.0.0.1:22", "SHA256:x", "web", null, null,
        MachineFacts.UNKNOWN, Instant.EPOCH, 1).withWatchdogs(hb, Health.OK, Instant.EPOCH, 2);
  }

  @Test
  void aNewMachinesFirstReportAlsoTellsTheDmItsHeartbeatIsOkOnce() {
    MachineId fresh = MachineId.of("fresh");
    fleet.learn(Machine.discovered(fresh, "127.0.0.1:22", "SHA256:y", "web", null, null,
        MachineFacts.UNKNOWN, Instant.EPOCH, 1));
    fleet.report(new IntakeReport(fresh, List.of(v("disk", Health.OK, "fine", 1))));
    assertThat(sendAll()).containsExactlyInAnyOrder(v("disk", Health.OK, "fine", 1),
        v("heartbeat", Health.OK, "reporting", 1));
    fleet.report(new IntakeReport(fresh, List.of(v("disk", Health.OK, "fine", 2))));
    assertThat(sendAll()).as("not news a second time").isEmpty();
  }

  Outcome report(Verdict... vs) {
    return fleet.report(new IntakeReport(m1, List.of(vs)));
  }

  static Verdict v(String name, Health h, String text, int n) {
    return new Verdict(name, h, text, n);
  }

  /** Drains and acknowledges, as a successful send would; what was sent. */
  List<Verdict> sendAll() {
    List<Telling> batch = fleet.drain(5000, 1 << 20);
    batch.forEach(fleet::told);
    return batch.stream().flatMap(t -> t.verdicts().stream()).toList();
  }

  @Test
  void anUnchangedVerdictIsNotNewsWhateverItsCount() {
    report(v("disk", Health.OK, "fine", 1), v("app", Health.WARNING, "slow", 1));
    assertThat(sendAll()).hasSize(2);
    for (int n = 2; n < 40; n++) {
      assertThat(report(v("disk", Health.OK, "fine", n), v("app", Health.WARNING, "slow", n)).changes()).isZero();
    }
    assertThat(sendAll()).isEmpty();
    report(v("disk", Health.OK, "fine", 40), v("app", Health.WARNING, "slower", 40));
    assertThat(sendAll()).containsExactly(v("app", Health.WARNING, "slower", 16));
  }

  @Test
  void anErrorIsNewsWhileItsCountGrowsToSixteenAndWhenAStreakRestarts() {
    report(v("disk", Health.ERROR, "bad", 1));
    report(v("disk", Health.ERROR, "bad", 2));
    assertThat(sendAll()).containsExactly(v("disk", Health.ERROR, "bad", 2));
    report(v("disk", Health.ERROR, "bad", 3));
    assertThat(sendAll()).containsExactly(v("disk", Health.ERROR, "bad", 3));
    report(v("disk", Health.ERROR, "bad", 30));
    assertThat(sendAll()).containsExactly(v("disk", Health.ERROR, "bad", 16));
    report(v("disk", Health.ERROR, "bad", 31));
    assertThat(sendAll()).isEmpty();
    report(v("disk", Health.ERROR, "bad", 1));
    assertThat(sendAll()).containsExactly(v("disk", Health.ERROR, "bad", 1));
  }

  @Test
  void heartbeatErrorCountsWholeTimeoutsOfSilenceAndClearsOnTheNextReport() {
    report(v("disk", Health.OK, "", 1));
    sendAll();
    clock.advance(Duration.ofSeconds(30));
    fleet.sweepHeartbeats();
    assertThat(sendAll()).isEmpty();
    clock.advance(Duration.ofMillis(1500));
    fleet.sweepHeartbeats();
    assertThat(sendAll()).containsExactly(v("heartbeat", Health.ERROR, "no report for 31s (timeout 30s)", 1));
    clock.advance(Duration.ofSeconds(600));
    fleet.sweepHeartbeats();
    assertThat(sendAll()).containsExactly(v("heartbeat", Health.ERROR, "no report for 631s (timeout 30s)", 16));
    report(v("disk", Health.OK, "", 2));
    assertThat(sendAll()).containsExactly(v("heartbeat", Health.OK, "reporting again", 1));

    Machine replaced = Machine.discovered(m1, "127.0.0.1:22", "SHA256:x", "web", null, null,
        MachineFacts.UNKNOWN, Instant.EPOCH, 1).withState(LifecycleState.REPLACE, Instant.EPOCH, 9, "rma");
    fleet.learn(replaced);
    clock.advance(Duration.ofSeconds(60));
    fleet.sweepHeartbeats();
    assertThat(sendAll()).as("out of service for good: silence expected").isEmpty();
  }

  @Test
  void aMachineNotYetConfirmedByTheDmIsHeldBackThenForgottenOrSent() {
    MachineId m2 = MachineId.of("m2");
    MachineId m3 = MachineId.of("m3");
    Outcome first = fleet.report(new IntakeReport(m2, List.of(v("disk", Health.OK, "", 1))));
    assertThat(first.lookup()).isTrue();
    assertThat(fleet.report(new IntakeReport(m2, List.of(v("disk", Health.OK, "", 2)))).lookup()).isFalse();
    fleet.report(new IntakeReport(m3, List.of(v("disk", Health.OK, "", 1))));
    assertThat(sendAll()).isEmpty();

    fleet.lookedUp(m2, Optional.empty());
    assertThat(fleet.report(new IntakeReport(m2, List.of(v("disk", Health.OK, "", 3)))).kind())
        .isEqualTo(Outcome.Kind.NOT_REGISTERED);
    fleet.lookedUp(m3, Optional.of(Machine.discovered(m3, "127.0.0.1:22", "SHA256:x", "web", null,
        null, MachineFacts.UNKNOWN, Instant.EPOCH, 2)));
    assertThat(fleet.drain(5000, 1 << 20)).extracting(Telling::machine).containsExactly(m3);

    clock.advance(FleetVerdicts.FORGET_FOR);
    assertThat(fleet.report(new IntakeReport(m2, List.of(v("disk", Health.OK, "", 4)))).lookup())
        .as("asked again after a while").isTrue();
  }

  @Test
  void drainingStopsAtTheMachineOrByteBudget() {
    for (int i = 0; i < 10; i++) {
      MachineId id = MachineId.of("b" + i);
      fleet.learn(known(id));
      fleet.report(new IntakeReport(id, List.of(v("disk", Health.ERROR, "x".repeat(400), 1))));
    }
    assertThat(fleet.drain(4, 1 << 20)).hasSize(4);
    assertThat(fleet.drain(100, 2000)).hasSize(2);
    assertThat(fleet.drain(100, 1 << 20)).hasSize(4);
    assertThat(fleet.drain(100, 1 << 20)).isEmpty();
  }
}
