package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Repair.Status;
import org.junit.jupiter.api.Test;

/**
 * The health policy with a manual leader clock: watchdog verdicts, confirmation, the repair
 * ladder, probation, budgets, the breaker, windows, and the repair protocol's fencing.
 */
class HealthRulesTest {
  final FleetScript s = new FleetScript().given(type("web"), type("db"), unit("su-1"), unit("su-2"));

  HealthRulesTest() {
    s.given(new SetHealthPolicy("default", policy(null, null), "test policy"));
  }

  /** Defaults, except a 2 minute probation and the given ladder and windows. */
  static HealthPolicy policy(List<RepairAction> ladder, List<HealthPolicy.Window> windows) {
    return new HealthPolicy(3, "30s", "30s", "2m", "10m", "24h", ladder, null, windows,
        new HealthPolicy.Breaker(100, 100, "10m"));
  }

  void healthy(String id, String unit, String rack) {
    s.given(new RegisterMachine(MachineId.of(id), "127.0.0.1:22", "SHA256:k-" + id, "web", unit, rack,
        null, "found"), move(id, PROVISIONING), move(id, BURN_IN), move(id, HEALTHY));
  }

  static ReportWatchdogs verdict(String id, String watchdog, Health h, String text, int consecutive) {
    return new ReportWatchdogs(List.of(new MachineReport(MachineId.of(id),
        List.of(new Verdict(watchdog, h, text, consecutive)))), "watchdog service");
  }

  /** The same watchdog reports Error {@code n} times in a row. */
  void errors(String id, String watchdog, int n) {
    for (int i = 1; i <= n; i++) {
      s.given(verdict(id, watchdog, Health.ERROR, watchdog + " failing", i));
    }
  }

  void ok(String id, String watchdog) {
    s.given(verdict(id, watchdog, Health.OK, watchdog + " fine", 1));
  }

  Machine m(String id) {
    return s.machine(id);
  }

  Repair repair(String id) {
    return m(id).repair();
  }

  CommandResult claim(String id, String holder) {
    return s.when(new ClaimRepair(MachineId.of(id), repair(id).id(), holder, ""));
  }

  /** What a repair service does: claim, start, act, report done. */
  void repairServiceRuns(String id, String holder) {
    assertThat(claim(id, holder).accepted()).as("claim %s: %s", id, repair(id)).isTrue();
    s.given(new StartRepair(MachineId.of(id), repair(id).id(), holder, ""),
        new FinishRepair(MachineId.of(id), repair(id).id(), holder, true, "exit 0", ""));
  }

  List<String> decisions(String id) {
    return FleetQueries.decisions(s.fleet, 0, MachineId.of(id), 1000).items().stream()
        .map(d -> d.kind() + ": " + d.text()).toList();
  }

  CommandResult tick() {
    return s.when(new EvaluateHealth("time passed"));
  }

  @Test
  void aSingleTransientErrorIsConfirmedDoesNothingAndComesBackHealthy() {
    healthy("a1", "su-1", "r1");
    errors("a1", "disk-latency", 2);
    assertThat(m("a1").state()).as("2 of 3 reports: not confirmed yet").isEqualTo(HEALTHY);
    assertThat(m("a1").health()).isEqualTo(Health.ERROR);

    errors("a1", "disk-latency", 3);
    assertThat(m("a1").state()).isEqualTo(PROBATION);
    assertThat(repair("a1").action()).isEqualTo(RepairAction.DO_NOTHING);
    assertThat(repair("a1").status()).isEqualTo(Status.DONE);
    assertThat(m("a1").failures()).hasSize(1);

    ok("a1", "disk-latency");
    s.after(Duration.ofSeconds(119));
    assertThat(tick().events()).as("probation not over").isEmpty();
    s.after(Duration.ofSeconds(1));
    tick();
    assertThat(m("a1").state()).isEqualTo(HEALTHY);
    assertThat(repair("a1").status()).isEqualTo(Status.HEALED);
    assertThat(decisions("a1")).anySatisfy(d -> assertThat(d).startsWith("confirmed: Failure: disk-latency"))
        .anySatisfy(d -> assertThat(d).startsWith("chose: DoNothing: 1st failure within 24h"))
        .anySatisfy(d -> assertThat(d).startsWith("healthy: "));
  }

  @Test
  void anErrorLastingConfirmAfterIsConfirmedByTimeWithoutMoreReports() {
    healthy("a1", "su-1", "r1");
    s.given(verdict("a1", "http", Health.ERROR, "503", 1));
    s.after(Duration.ofSeconds(29));
    assertThat(tick().events()).isEmpty();
    s.after(Duration.ofSeconds(1));
    tick();
    assertThat(m("a1").state()).isEqualTo(PROBATION);
    assertThat(m("a1").failures().get(0).cause()).contains("http: 503").contains("Error for 30s");
  }

  @Test
  void repeatedFailuresClimbTheLadderRebootReimageReplaceEachAfterItsProbation() {
    healthy("a1", "su-1", "r1");
    s.given(new AcquireLease("repair", "repair-1", 60_000, ""));
    List<RepairAction> seen = new ArrayList<>();
    for (int round = 0; round < 4; round++) {
      errors("a1", "app", 3);
      Repair r = repair("a1");
      seen.add(r.action());
      if (r.action() == RepairAction.DO_NOTHING) {
        assertThat(m("a1").state()).isEqualTo(PROBATION);
      } else {
        assertThat(m("a1").state()).isEqualTo(FAILURE);
        assertThat(r.status()).isEqualTo(Status.WAITING);
        repairServiceRuns("a1", "repair-1");
        if (r.action() == RepairAction.REPLACE) {
          break;
        }
        assertThat(m("a1").state()).isEqualTo(PROBATION);
      }
      // the error is back after the action, before the probation ends: the step did not help
      s.after(Duration.ofSeconds(30));
      ok("a1", "app");
      s.after(Duration.ofSeconds(10));
      s.given(new AcquireLease("repair", "repair-1", 60_000, "renew"));
    }
    assertThat(seen).containsExactly(RepairAction.DO_NOTHING, RepairAction.REBOOT,
        RepairAction.REIMAGE, RepairAction.REPLACE);
    assertThat(m("a1").state()).isEqualTo(REPLACE);
    assertThat(m("a1").failures()).hasSize(4);

    assertThat(s.when(new MarkReplaced(MachineId.of("a1"), "RMA 4711")).accepted()).isTrue();
    assertThat(m("a1").state()).isEqualTo(NEW);
    assertThat(m("a1").failures()).isEmpty();
    assertThat(m("a1").repair()).isNull();
  }

  @Test
  void aMachineLongHealthyStartsAgainAtTheBottomOfTheLadder() {
    healthy("a1", "su-1", "r1");
    errors("a1", "app", 3);
    ok("a1", "app");
    s.after(Duration.ofMinutes(2));
    tick();
    assertThat(m("a1").state()).isEqualTo(HEALTHY);
    s.after(Duration.ofHours(25));
    errors("a1", "app", 3);
    assertThat(repair("a1").action()).as("the old failure is outside the 24h window")
        .isEqualTo(RepairAction.DO_NOTHING);
  }

  @Test
  void aFatalDiskErrorGoesToReplaceAtOnceEvenOutsideTheWindow() {
    s.given(new SetHealthPolicy("default", policy(null,
        List.of(new HealthPolicy.Window("0 0 2 * * ?", "1h"))), "nights only"));
    healthy("a1", "su-1", "r1");
    s.given(new AcquireLease("repair", "repair-1", 60_000, ""));
    s.given(verdict("a1", "disk", Health.ERROR, "write probe: unrecoverable I/O error", 1));
    assertThat(m("a1").state()).isEqualTo(FAILURE);
    assertThat(repair("a1").action()).isEqualTo(RepairAction.REPLACE);
    assertThat(repair("a1").urgent()).isTrue();
    assertThat(repair("a1").held()).isNull();
    repairServiceRuns("a1", "repair-1");
    assertThat(m("a1").state()).isEqualTo(REPLACE);
    assertThat(decisions("a1")).anySatisfy(d -> assertThat(d).contains("fatal"));
  }

  @Test
  void unknownAndWarningNeverRepair() {
    healthy("a1", "su-1", "r1");
    for (int i = 1; i <= 20; i++) {
      s.given(verdict("a1", "broken-script", Health.UNKNOWN, "exec format error", i),
          verdict("a1", "disk-space", Health.WARNING, "91% full", i));
      s.after(Duration.ofMinutes(1));
      tick();
    }
    assertThat(m("a1").state()).isEqualTo(HEALTHY);
    assertThat(m("a1").health()).isEqualTo(Health.WARNING);
    assertThat(m("a1").failures()).isEmpty();
    assertThat(m("a1").watchdogs()).containsKeys("broken-script", "disk-space");
  }

  @Test
  void thirtyPercentOfAUnitFailingTogetherIsCappedByTheBudget() {
    for (int i = 0; i < 10; i++) {
      healthy("a" + i, "su-1", "rack-" + i);
    }
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT), null), "reboot first"),
        new SetBudget("unit:su-1", "1", "one at a time"),
        new AcquireLease("repair", "repair-1", 60_000, ""));
    List<MachineReport> together = new ArrayList<>();
    for (String id : List.of("a0", "a1", "a2")) {
      together.add(new MachineReport(MachineId.of(id), List.of(new Verdict("nic", Health.ERROR, "link down", 3))));
    }
    s.given(new ReportWatchdogs(together, "switch flapping"));
    assertThat(List.of("a0", "a1", "a2")).allSatisfy(id -> assertThat(m(id).state()).isEqualTo(FAILURE));
    assertThat(repair("a0").held()).isNull();
    assertThat(repair("a1").held()).isEqualTo("budget unit:su-1 1/1 in repair or rollout");
    assertThat(repair("a2").held()).startsWith("budget unit:su-1");

    assertThat(claim("a1", "repair-1").code()).as("held by the budget").isEqualTo(Rejection.CONFLICT);
    assertThat(claim("a0", "repair-1").accepted()).isTrue();
    assertThat(claim("a1", "repair-1").code()).isEqualTo(Rejection.CONFLICT);
    assertThat(decisions("a1")).anySatisfy(d -> assertThat(d).startsWith("held: Reboot held: budget unit:su-1"));

    s.given(new StartRepair(MachineId.of("a0"), repair("a0").id(), "repair-1", ""),
        new FinishRepair(MachineId.of("a0"), repair("a0").id(), "repair-1", true, "", ""));
    ok("a0", "nic");
    s.after(Duration.ofMinutes(2));
    tick();
    assertThat(m("a0").state()).isEqualTo(HEALTHY);
    assertThat(repair("a1").held()).as("a0 healed: room for the next").isNull();
    assertThat(repair("a2").held()).isNotNull();
    s.given(new AcquireLease("repair", "repair-1", 60_000, "renew"));
    assertThat(claim("a1", "repair-1").accepted()).isTrue();
  }

  @Test
  void thirtyPercentOfAUnitFailingTogetherOpensAnIncidentAndHoldsTheirRepairs() {
    for (int i = 0; i < 10; i++) {
      healthy("a" + i, "su-1", "rack-" + i);
    }
    s.given(new SetHealthPolicy("default", new HealthPolicy(3, "30s", "30s", "2m", "10m", "24h",
        List.of(RepairAction.REBOOT), null, null, new HealthPolicy.Breaker(25, 3, "10m")), "breaker at 25%"),
        new AcquireLease("repair", "repair-1", 600_000, ""));
    errors("a0", "nic", 3);
    s.after(Duration.ofMinutes(1));
    errors("a1", "nic", 3);
    assertThat(s.fleet.incidents()).as("2 of 10 is under the breaker").isEmpty();
    s.after(Duration.ofMinutes(1));
    errors("a2", "nic", 3);

    assertThat(s.fleet.incidents().values()).singleElement().satisfies(i -> {
      assertThat(i.scope()).isEqualTo("unit:su-1");
      assertThat(i.open()).isTrue();
      assertThat(i.machines()).extracting(MachineId::value).containsExactlyInAnyOrder("a0", "a1", "a2");
    });
    long incident = s.fleet.incidents().firstKey();
    for (String id : List.of("a1", "a2")) {
      assertThat(repair(id).held()).isEqualTo("incident " + incident + " open for unit:su-1");
    }
    assertThat(claim("a2", "repair-1").code()).isEqualTo(Rejection.CONFLICT);
    assertThat(FleetQueries.decisions(s.fleet, 0, null, 1000).items())
        .anySatisfy(d -> assertThat(d.text()).startsWith("incident " + incident + " opened: 3 of 10"));

    s.given(new ResolveIncident(incident, "top-of-rack switch replaced"));
    assertThat(repair("a2").held()).isNull();
    assertThat(claim("a2", "repair-1").accepted()).isTrue();
  }

  @Test
  void aDeposedLeaderCannotStartWhatItClaimedAndTheNewLeaderClaimsItAgain() {
    healthy("a1", "su-1", "r1");
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT), null), ""),
        new AcquireLease("repair", "old", 5_000, ""));
    errors("a1", "app", 3);
    long id = repair("a1").id();
    assertThat(claim("a1", "old").accepted()).isTrue();
    assertThat(s.when(new ClaimRepair(MachineId.of("a1"), id, "old", "twice")).code())
        .isEqualTo(Rejection.STALE);

    s.after(Duration.ofSeconds(6));
    s.given(new AcquireLease("repair", "new", 5_000, "old one died"));
    assertThat(s.when(new StartRepair(MachineId.of("a1"), id, "old", "late")).code())
        .as("the old leader's lease epoch is gone").isEqualTo(Rejection.STALE);
    assertThat(claim("a1", "new").accepted()).as("claimed, never started: not lost").isTrue();
    assertThat(repair("a1").epoch()).isEqualTo(2);
    s.given(new StartRepair(MachineId.of("a1"), id, "new", ""));
    assertThat(repair("a1").status()).isEqualTo(Status.STARTED);
  }

  @Test
  void aStartedRepairIsNeverHandedOutAgainAndItsFinishFromTheDeadLeaderStillCounts() {
    healthy("a1", "su-1", "r1");
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT), null), ""),
        new AcquireLease("repair", "old", 5_000, ""));
    errors("a1", "app", 3);
    long id = repair("a1").id();
    claim("a1", "old");
    s.given(new StartRepair(MachineId.of("a1"), id, "old", ""));
    s.after(Duration.ofSeconds(6));
    s.given(new AcquireLease("repair", "new", 5_000, ""));
    assertThat(claim("a1", "new").code()).isEqualTo(Rejection.STALE);
    assertThat(s.when(new StartRepair(MachineId.of("a1"), id, "new", "")).code()).isEqualTo(Rejection.STALE);
    assertThat(s.when(new FinishRepair(MachineId.of("a1"), id, "new", true, "", "")).code())
        .isEqualTo(Rejection.STALE);
    s.given(new FinishRepair(MachineId.of("a1"), id, "old", true, "rebooted", ""));
    assertThat(repair("a1").status()).isEqualTo(Status.DONE);
    assertThat(s.when(new FinishRepair(MachineId.of("a1"), id, "old", true, "again", "")).code())
        .as("a repeated finish is stale").isEqualTo(Rejection.STALE);
  }

  @Test
  void anActionNeverReportedTimesOutAndEscalates() {
    healthy("a1", "su-1", "r1");
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT, RepairAction.REIMAGE), null), ""),
        new AcquireLease("repair", "r", 60_000, ""));
    errors("a1", "app", 3);
    claim("a1", "r");
    s.given(new StartRepair(MachineId.of("a1"), repair("a1").id(), "r", ""));
    s.after(Duration.ofMinutes(10));
    tick();
    assertThat(m("a1").state()).isEqualTo(FAILURE);
    assertThat(repair("a1").action()).isEqualTo(RepairAction.REIMAGE);
    assertThat(m("a1").failures().get(1).cause()).contains("not reported done within 10m");
  }

  @Test
  void aFailedActionEscalatesAtOnce() {
    healthy("a1", "su-1", "r1");
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT, RepairAction.REIMAGE), null), ""),
        new AcquireLease("repair", "r", 60_000, ""));
    errors("a1", "app", 3);
    claim("a1", "r");
    s.given(new StartRepair(MachineId.of("a1"), repair("a1").id(), "r", ""),
        new FinishRepair(MachineId.of("a1"), repair("a1").id(), "r", false, "ssh: connection refused", ""));
    assertThat(m("a1").state()).isEqualTo(FAILURE);
    assertThat(repair("a1").action()).isEqualTo(RepairAction.REIMAGE);
  }

  @Test
  void aNonUrgentRepairWaitsForItsMaintenanceWindow() {
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT),
        List.of(new HealthPolicy.Window("0 0 2 * * ?", "1h"))), "reboots at 02:00 UTC"),
        new AcquireLease("repair", "r", 600_000, ""));
    healthy("a1", "su-1", "r1");
    s.after(Duration.ofMinutes(30));
    errors("a1", "app", 3);
    assertThat(repair("a1").held()).isEqualTo(
        "outside maintenance window; next opens 2026-01-01T02:00:00Z");
    s.given(new AcquireLease("repair", "r", 600_000, ""));
    assertThat(claim("a1", "r").code()).isEqualTo(Rejection.CONFLICT);
    s.after(Duration.ofMinutes(89));
    assertThat(tick().events()).isEmpty();
    s.after(Duration.ofMinutes(1));
    s.given(new AcquireLease("repair", "r", 600_000, ""));
    tick();
    assertThat(repair("a1").held()).isNull();
    assertThat(claim("a1", "r").accepted()).isTrue();
    assertThat(decisions("a1")).anySatisfy(d -> assertThat(d).startsWith("held: Reboot held: outside maintenance window"))
        .anySatisfy(d -> assertThat(d).startsWith("free: Reboot may be handed out now"));
  }

  @Test
  void aSilencedMachineIsNotRepairedUntilTheSilenceEnds() {
    healthy("a1", "su-1", "r1");
    s.given(new SilenceMachine(MachineId.of("a1"), Duration.ofMinutes(10).toMillis(), "planned test"));
    errors("a1", "app", 5);
    s.after(Duration.ofMinutes(5));
    tick();
    assertThat(m("a1").state()).isEqualTo(HEALTHY);
    s.after(Duration.ofMinutes(5));
    tick();
    assertThat(m("a1").state()).isEqualTo(PROBATION);
  }

  @Test
  void aMachineInARolloutsProbationIsLeftToTheRollout() {
    s.given(registerManifest("web", "1", "web"), registerManifest("web", "2", "web"));
    healthy("a1", "su-1", "r1");
    s.given(new AssignManifest(ids("a1"), ref("web@1"), ""), new ActivateManifest(ids("a1"), ref("web@1"), ""),
        new StartRollout(ref("web@2"), ""));
    s.given(new ReportSoftware(MachineId.of("a1"), List.of(ref("web@1"), ref("web@2")), ref("web@1"),
        List.of(new AppStatus("app", AppStatus.State.RUNNING, 0, "")), ""));
    s.given(new AdvanceRollout("web", ""));
    assertThat(m("a1").state()).isEqualTo(PROBATION);
    errors("a1", "apps", 3);
    s.after(Duration.ofMinutes(5));
    tick();
    assertThat(m("a1").state()).as("the rollout judges it, not repair").isEqualTo(PROBATION);
    assertThat(m("a1").repair()).isNull();
  }

  @Test
  void aMalformedReportIsRejectedWholeNamingTheEntryAndChangesNothing() {
    healthy("a1", "su-1", "r1");
    long before = s.fleet.revision();
    CommandResult r = s.when(new ReportWatchdogs(List.of(
        new MachineReport(MachineId.of("a1"), List.of(new Verdict("disk", Health.OK, "fine", 1))),
        new MachineReport(MachineId.of("a1"), List.of(new Verdict("../etc", Health.OK, "x", 1)))), ""));
    assertThat(r.code()).isEqualTo(Rejection.INVALID);
    assertThat(r.reason()).contains("report 1 (a1), watchdog 0");
    assertThat(s.when(verdict("a1", "disk", Health.ERROR, "x".repeat(513), 1)).reason())
        .contains("longer than 512");
    assertThat(s.when(verdict("a1", "disk", Health.ERROR, "x", 0)).reason()).contains("consecutive");
    assertThat(s.when(verdict("ghost", "disk", Health.ERROR, "x", 1)).code()).isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.fleet.revision()).isEqualTo(before);
    assertThat(m("a1").watchdogs()).isEmpty();
  }

  @Test
  void policiesAreValidatedWithAMessage() {
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new HealthPolicy(0, null, null,
        null, null, null, null, null, null, null))).hasMessageContaining("confirmReports 0");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new HealthPolicy.Window("every night", "1h")))
        .hasMessageContaining("not a Quartz cron expression");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new HealthPolicy.FatalRule("disk", "(")))
        .hasMessageContaining("bad regular expression");
    assertThat(s.when(new SetHealthPolicy("no-such-type", HealthPolicy.DEFAULT, "")).code())
        .isEqualTo(Rejection.NOT_FOUND);
  }

  @Test
  void aTypesOwnPolicyOverridesTheDefault() {
    s.given(new SetHealthPolicy("web", new HealthPolicy(1, null, null, null, null, null, null, null, null, null), ""));
    healthy("a1", "su-1", "r1");
    errors("a1", "app", 1);
    assertThat(m("a1").state()).isEqualTo(PROBATION);
  }

  @Test
  void aMachineThatRecoversWhileItsRepairWaitsGoesBackToHealthyUntouched() {
    s.given(new SetHealthPolicy("default", policy(List.of(RepairAction.REBOOT),
        List.of(new HealthPolicy.Window("0 0 2 * * ?", "1h"))), "reboots at night"));
    healthy("a1", "su-1", "r1");
    errors("a1", "app", 3);
    assertThat(repair("a1").held()).startsWith("outside maintenance window");
    s.after(Duration.ofMinutes(1));
    ok("a1", "app");
    s.after(Duration.ofSeconds(119));
    tick();
    assertThat(m("a1").state()).isEqualTo(FAILURE);
    s.after(Duration.ofSeconds(1));
    tick();
    assertThat(m("a1").state()).isEqualTo(HEALTHY);
    assertThat(repair("a1").status()).isEqualTo(Status.HEALED);
    assertThat(repair("a1").outcome()).startsWith("recovered while its Reboot waited");
  }

  @Test
  void aMachineMovedToFailureBySomeoneElseWithAFatalErrorIsReplacedAtOnce() {
    s.given(new RegisterMachine(MachineId.of("b1"), "127.0.0.1:22", "SHA256:k-b1", "web", "su-1", "r1",
        null, "found"), move("b1", PROVISIONING), move("b1", BURN_IN));
    s.given(verdict("b1", "disk", Health.ERROR, "probe: unrecoverable I/O error", 1),
        new ChangeState(MachineId.of("b1"), 0, FAILURE, "burn-in failed: disk"));
    tick();
    assertThat(repair("b1").action()).isEqualTo(RepairAction.REPLACE);
    assertThat(repair("b1").urgent()).isTrue();
  }
}
