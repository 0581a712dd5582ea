package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Rollout.Phase;
import org.autopilot.devicemanager.model.Rollout.Status;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.Test;

/** Rollouts decided by the DM: given a fleet, when the driver advances, then these events. */
class RolloutRulesTest {
  static final ManifestRef V1 = ref("web@1");
  static final ManifestRef V2 = ref("web@2");
  static final AppStatus UP = new AppStatus("app", AppStatus.State.RUNNING, 0, "");
  static final AppStatus LOOP = new AppStatus("app", AppStatus.State.CRASH_LOOP, 7, "exit 3");
  final FleetScript s = new FleetScript().given(type("web"), unit("su-1"), unit("su-2"),
      registerManifest("web", "1", "web"), registerManifest("web", "2", "web"));
  final List<String> su1 = List.of("a1", "a2", "a3", "a4");
  final List<String> su2 = List.of("b1", "b2", "b3", "b4");

  RolloutRulesTest() {
    List<String> all = new ArrayList<>(su1);
    all.addAll(su2);
    for (String id : all) {
      s.given(register(id, "web", su1.contains(id) ? "su-1" : "su-2"), move(id, PROVISIONING),
          move(id, BURN_IN), move(id, HEALTHY));
    }
    s.given(new AssignManifest(ids(all.toArray(String[]::new)), V1, "initial"),
        new ActivateManifest(ids(all.toArray(String[]::new)), V1, "initial"));
    all.forEach(id -> report(id, List.of(V1), V1, UP));
  }

  void report(String id, List<ManifestRef> held, ManifestRef running, AppStatus app) {
    s.given(new ReportSoftware(MachineId.of(id), held, running, List.of(app), ""));
  }

  /** What each machine's app-manager does once the DM asked: hold v2, run what is active. */
  void machinesFollow(List<String> ids, AppStatus onV2) {
    for (String id : ids) {
      Machine m = s.machine(id);
      ManifestRef active = m.software().active();
      report(id, m.software().assigned(), active, V2.equals(active) ? onV2 : UP);
    }
  }

  CommandResult advance() {
    return s.when(new AdvanceRollout("web", ""));
  }

  Rollout rollout() {
    return s.fleet.rollouts().get("web");
  }

  Phase phase(int unit) {
    return rollout().units().get(unit).phase();
  }

  @Test
  void startingAssignsTheNewVersionEverywhereAndRemembersThePreviousOne() {
    CommandResult r = s.when(new StartRollout(V2, "commit c0ffee"));
    assertThat(r.accepted()).isTrue();
    assertThat(rollout().from()).isEqualTo(V1);
    assertThat(rollout().units()).extracting(Rollout.UnitRollout::unit).containsExactly("su-1", "su-2");
    assertThat(rollout().threshold()).isEqualTo(80);
    assertThat(s.machine("b4").software().assigned()).containsExactly(V1, V2);
    assertThat(s.when(new StartRollout(V2, "again")).code()).isEqualTo(Rejection.CONFLICT);
  }

  @Test
  void unitByUnitThroughTheBakeToRelease() {
    s.given(new StartRollout(V2, "commit"));
    assertThat(advance().events()).as("nothing to do yet: no event").isEmpty();

    machinesFollow(su1.subList(0, 3), UP);
    advance();
    assertThat(phase(0)).isEqualTo(Phase.PENDING);
    machinesFollow(su1, UP);
    advance();
    assertThat(phase(0)).isEqualTo(Phase.ACTIVATING);
    assertThat(su1).allSatisfy(id -> {
      assertThat(s.machine(id).software().active()).isEqualTo(V2);
      assertThat(s.machine(id).state()).isEqualTo(PROBATION);
    });
    assertThat(s.machine("b1").software().active()).isEqualTo(V1);
    assertThat(rollout().nextCheck()).as("the driver's next wake-up: the end of the bake")
        .isEqualTo(s.now.plus(Duration.ofMinutes(5)));

    machinesFollow(su1, UP);
    s.after(Duration.ofSeconds(59));
    advance();
    assertThat(s.machine("a1").state()).as("still baking").isEqualTo(PROBATION);
    s.after(Duration.ofSeconds(301));
    advance();
    assertThat(phase(0)).isEqualTo(Phase.PASSED);
    assertThat(su1).allSatisfy(id -> assertThat(s.machine(id).state()).isEqualTo(HEALTHY));
    assertThat(phase(1)).as("su-2 waits for its machines to hold v2").isEqualTo(Phase.PENDING);

    machinesFollow(su2, UP);
    advance();
    machinesFollow(su2, UP);
    s.after(Duration.ofMinutes(6));
    advance();
    assertThat(rollout().status()).isEqualTo(Status.SUCCEEDED);
    assertThat(rollout().released()).isEqualTo(V2);
    assertThat(s.fleet.machines().values()).allSatisfy(m -> {
      assertThat(m.software().active()).isEqualTo(V2);
      assertThat(m.state()).isEqualTo(HEALTHY);
    });
    assertThat(advance().events()).isEmpty();
  }

  @Test
  void aVersionThatCrashesFailsTheFirstUnitAndEverythingGoesBack() {
    s.given(new StartRollout(V2, "bad commit"));
    machinesFollow(List.of("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"), UP);
    advance();
    machinesFollow(su1, LOOP);
    s.after(Duration.ofMinutes(6));
    CommandResult r = advance();

    assertThat(rollout().status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(phase(0)).isEqualTo(Phase.FAILED);
    assertThat(phase(1)).isEqualTo(Phase.PENDING);
    assertThat(rollout().reason()).contains("unit su-1 failed: 4 of 4");
    assertThat(rollout().released()).isEqualTo(V1);
    assertThat(s.fleet.machines().values()).allSatisfy(m -> {
      assertThat(m.software().active()).isEqualTo(V1);
      assertThat(m.software().assigned()).containsExactly(V1);
      assertThat(m.state()).isEqualTo(HEALTHY);
    });
    assertThat(r.events()).filteredOn(e -> e instanceof org.autopilot.devicemanager.event.ManifestActivated a
        && a.machine().value().startsWith("b")).isEmpty();
  }

  @Test
  void theBudgetCapsActivationsAndRepairsUseTheSameBudget() {
    s.given(new SetBudget("unit:su-1", "1", "one at a time"), new StartRollout(V2, "commit"));
    machinesFollow(su1, UP);
    s.given(move("a4", FAILURE));
    CommandResult held = advance();
    assertThat(held.events()).noneMatch(e -> e instanceof org.autopilot.devicemanager.event.ManifestActivated);
    assertThat(rollout().reason()).contains("activation in unit su-1 held: budget unit:su-1 1/1");

    s.given(move("a4", PROBATION), move("a4", HEALTHY));
    advance();
    assertThat(su1.stream().filter(id -> s.machine(id).state() == PROBATION)).hasSize(1);
    for (int round = 0; round < 4; round++) {
      machinesFollow(su1, UP);
      s.after(Duration.ofMinutes(6));
      advance();
      assertThat(su1.stream().filter(id -> s.machine(id).state() == PROBATION).count())
          .as("round %d", round).isLessThanOrEqualTo(1);
    }
    assertThat(phase(0)).isEqualTo(Phase.PASSED);
  }

  @Test
  void aMachineStillSwitchingAfterTheBakeIsGivenTimeThenCountsAsFailed() {
    s.given(new StartRollout(V2, "commit"));
    machinesFollow(su1, UP);
    advance();
    s.after(Duration.ofMinutes(6));
    advance();
    assertThat(phase(0)).as("not reported yet: wait").isEqualTo(Phase.ACTIVATING);
    assertThat(rollout().status()).isEqualTo(Status.RUNNING);
    s.after(RolloutRules.CONVERGE);
    advance();
    assertThat(rollout().status()).isEqualTo(Status.ROLLED_BACK);
    assertThat(rollout().reason()).contains("4 of 4 machines not healthy");
  }

  @Test
  void operatorsPauseResumeKickAndAbort() {
    s.given(new StartRollout(V2, "commit"));
    s.given(new SteerRollout("web", SteerRollout.Action.PAUSE, "looking"));
    machinesFollow(su1, UP);
    assertThat(advance().events()).isEmpty();
    assertThat(rollout().reason()).isEqualTo("paused by test-operator: looking");
    assertThat(s.when(new SteerRollout("web", SteerRollout.Action.PAUSE, "")).code())
        .isEqualTo(Rejection.CONFLICT);
    s.given(new SteerRollout("web", SteerRollout.Action.RESUME, ""));
    CommandResult kick = s.when(new SteerRollout("web", SteerRollout.Action.KICK, "hurry"));
    assertThat(kick.events()).hasSize(4);
    assertThat(s.machine("b1").software().kicks()).isEqualTo(1);
    assertThat(s.machine("a1").software().kicks()).isZero();
    advance();
    assertThat(s.machine("a1").software().active()).isEqualTo(V2);

    s.given(new SteerRollout("web", SteerRollout.Action.ABORT, "wrong day"));
    assertThat(rollout().status()).isEqualTo(Status.ABORTED);
    assertThat(s.machine("a1").software().active()).isEqualTo(V1);
    assertThat(s.machine("a1").state()).isEqualTo(HEALTHY);
    assertThat(s.when(new StartRollout(V2, "try again")).accepted()).isTrue();
  }

  @Test
  void budgetsAndIngestRecordsAreValidated() {
    assertThat(s.when(new SetBudget("rack:1", "3", "")).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.when(new SetBudget("fleet", "150%", "")).code()).isEqualTo(Rejection.INVALID);
    s.given(new SetBudget("fleet", "25%", ""));
    assertThat(s.fleet.budgets().get("fleet").cap(8)).isEqualTo(2);
    s.given(new SetBudget("fleet", null, "no limit"));
    assertThat(s.fleet.budgets()).isEmpty();

    assertThat(s.when(new RecordIngest("main@repo", "abc", false, null, List.of(), "")).code())
        .isEqualTo(Rejection.INVALID);
    s.given(new RecordIngest("main@repo", "abc", true, List.of(V2), null, "v2"),
        new RecordIngest("main@repo", "def", false, null, List.of("web.yaml:3:1: bad"), "oops"));
    IngestStatus st = s.fleet.ingests().get("main@repo");
    assertThat(st.lastCommit()).isEqualTo("def");
    assertThat(st.acceptedCommit()).isEqualTo("abc");
    assertThat(st.acceptedManifests()).containsExactly(V2);
    assertThat(st.errors()).containsExactly("web.yaml:3:1: bad");
  }
}
