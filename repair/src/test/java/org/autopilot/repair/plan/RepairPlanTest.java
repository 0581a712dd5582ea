package org.autopilot.repair.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.api.FleetQueries.RepairQueue;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.repair.plan.RepairPlan.Kind;
import org.autopilot.repair.plan.RepairPlan.Step;
import org.junit.jupiter.api.Test;

class RepairPlanTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  static Repair waiting(long id) {
    return Repair.chosen(id, RepairAction.REBOOT, "2nd failure", false, T);
  }

  static RepairItem item(String machine, LifecycleState state, Repair r) {
    return new RepairItem(MachineId.of(machine), state, "web", "su-1", "r1", "127.0.0.1:22",
        "SHA256:k", "img-1", r);
  }

  static RepairItem failed(String machine, Repair r) {
    return item(machine, LifecycleState.FAILURE, r);
  }

  static List<String> plan(List<RepairItem> items, long epoch, Set<Long> busy, int slots) {
    return RepairPlan.next(new RepairQueue(100, items), "me", epoch, busy, slots).stream()
        .map(s -> s.kind() + " " + s.item().machine()).toList();
  }

  @Test
  void waitingRepairsThatNothingHoldsAreClaimedOldestFirstUpToTheFreeSlots() {
    List<RepairItem> q = List.of(failed("a", waiting(10)), failed("b", waiting(11).heldFor("budget unit:su-1 1/1")),
        failed("c", waiting(12)), failed("d", waiting(13)));

    assertThat(plan(q, 3, Set.of(), 2)).containsExactly("CLAIM a", "CLAIM c");
    assertThat(plan(q, 3, Set.of(10L), 5)).as("a is being worked on here").containsExactly("CLAIM c", "CLAIM d");
    assertThat(plan(q, 3, Set.of(), 0)).isEmpty();
  }

  @Test
  void aStartedRepairIsNeverTakenWhoeverStartedIt() {
    Repair mine = waiting(10).claimed("me", 3, T).started(T);
    Repair theirs = waiting(11).claimed("other", 2, T).started(T);

    assertThat(plan(List.of(item("a", LifecycleState.PROBATION, mine),
        item("b", LifecycleState.PROBATION, theirs)), 3, Set.of(), 10)).isEmpty();
  }

  @Test
  void aClaimItsClaimerCanNoLongerStartIsClaimedAgain() {
    Repair olderEpoch = waiting(10).claimed("other", 2, T);
    Repair mineOlderEpoch = waiting(11).claimed("me", 1, T);
    Repair otherHolderSameEpoch = waiting(12).claimed("other", 3, T);

    assertThat(plan(List.of(item("a", LifecycleState.PROBATION, olderEpoch),
        item("b", LifecycleState.PROBATION, mineOlderEpoch),
        item("c", LifecycleState.REPLACE, otherHolderSameEpoch)), 3, Set.of(), 10))
        .containsExactly("RECLAIM a", "RECLAIM b", "RECLAIM c");
  }

  @Test
  void aClaimOfMineUnderTheCurrentEpochIsStartedUnlessItIsBeingWorkedOnHere() {
    Repair mine = waiting(10).claimed("me", 3, T);

    assertThat(plan(List.of(item("a", LifecycleState.PROBATION, mine)), 3, Set.of(), 1))
        .containsExactly("RESUME a");
    assertThat(plan(List.of(item("a", LifecycleState.PROBATION, mine)), 3, Set.of(10L), 1)).isEmpty();
  }

  @Test
  void finishedRepairsAndDoNothingAreLeftAlone() {
    Repair done = waiting(10).claimed("me", 3, T).started(T).ended(true, "exit 0", T);
    Repair nothing = Repair.chosen(11, RepairAction.DO_NOTHING, "1st failure", false, T);

    List<Step> steps = RepairPlan.next(new RepairQueue(5, List.of(
        item("a", LifecycleState.PROBATION, done), failed("b", nothing))), "me", 3, Set.of(), 10);

    assertThat(steps).isEmpty();
    assertThat(Kind.values()).hasSize(3);
  }
}
