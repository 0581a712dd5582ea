package org.autopilot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.event.BudgetSet;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.fleetsim.Fault;
import org.junit.jupiter.api.Test;

/**
 * The chaos checks catch what they are meant to catch: each is shown a trail that breaks its
 * invariant and one that keeps it. Pure, fast; runs in every build.
 */
class AuditChecksTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  final List<DmEvent> trail = new ArrayList<>();

  long next() {
    return trail.size() + 1;
  }

  void register(String id, String unit) {
    trail.add(new MachineRegistered(next(), T, "prov", "found", Machine.discovered(MachineId.of(id),
        "127.0.0.1:1", "SHA256:x", "web", unit, "r1", MachineFacts.UNKNOWN, T, next())));
  }

  void move(String id, LifecycleState from, LifecycleState to) {
    trail.add(new StateChanged(next(), T, "dm", "test", MachineId.of(id), from, to));
  }

  void repair(String id, long repairId, Repair.Status status) {
    Repair r = Repair.chosen(repairId, RepairAction.REBOOT, "test", false, T);
    if (status != Repair.Status.WAITING) {
      r = r.claimed("repair-1", 1, T);
    }
    if (status == Repair.Status.STARTED) {
      r = r.started(T);
    }
    trail.add(new RepairUpdated(next(), T, "repair-1", "test", MachineId.of(id), r));
  }

  @Test
  void aSecondMachineOfAUnitTakenIntoProbationOverItsBudgetIsFound() {
    trail.add(new BudgetSet(next(), T, "admin", "test", "unit:su-1", "1"));
    register("m1", "su-1");
    register("m2", "su-1");
    register("m3", "su-2");
    move("m1", LifecycleState.HEALTHY, LifecycleState.PROBATION);
    move("m3", LifecycleState.HEALTHY, LifecycleState.PROBATION);
    assertThat(AuditChecks.budgetsHeld(trail)).as("one per unit: within budget").isEmpty();
    move("m2", LifecycleState.HEALTHY, LifecycleState.FAILURE);
    assertThat(AuditChecks.budgetsHeld(trail)).as("a failure is not a disruption").isEmpty();
    move("m2", LifecycleState.FAILURE, LifecycleState.PROBATION);
    assertThat(AuditChecks.budgetsHeld(trail)).singleElement().asString()
        .contains("m2 to Probation").contains("2 machines of unit:su-1 disrupted, budget 1");
  }

  @Test
  void aRepairHandedOutOrStartedTwiceIsFoundButRepeatingAStatusIsNot() {
    register("m1", "su-1");
    repair("m1", 7, Repair.Status.WAITING);
    repair("m1", 7, Repair.Status.CLAIMED);
    repair("m1", 7, Repair.Status.CLAIMED);
    repair("m1", 7, Repair.Status.STARTED);
    assertThat(AuditChecks.noRepairTwice(trail)).isEmpty();
    repair("m1", 7, Repair.Status.CLAIMED);
    repair("m1", 7, Repair.Status.STARTED);
    assertThat(AuditChecks.noRepairTwice(trail)).hasSize(2)
        .anySatisfy(v -> assertThat(v).contains("m1 repair 7 (Reboot) handed out a second time"))
        .anySatisfy(v -> assertThat(v).contains("m1 repair 7 (Reboot) started a second time"));
    repair("m1", 9, Repair.Status.STARTED);
    assertThat(AuditChecks.noRepairTwice(trail)).as("another failure's repair").hasSize(2);
  }

  @Test
  void anAcknowledgedEventMissingOrDifferentOnAReplicaIsFound() {
    register("m1", "su-1");
    register("m2", "su-1");
    List<DmEvent> acked = List.copyOf(trail);
    assertThat(AuditChecks.acknowledgedPresent(trail, acked)).isEmpty();
    assertThat(AuditChecks.acknowledgedPresent(trail.subList(0, 1), acked)).singleElement().asString()
        .contains("revision 2 is missing");
    List<DmEvent> other = new ArrayList<>(trail.subList(0, 1));
    other.add(new StateChanged(2, T, "dm", "x", MachineId.of("m1"), LifecycleState.NEW, LifecycleState.PROVISIONING));
    assertThat(AuditChecks.acknowledgedPresent(other, acked)).singleElement().asString().contains("another event");
    assertThat(AuditChecks.sameTrail("dm1", trail, "dm2", other)).singleElement().asString()
        .contains("differ at revision 2");
    assertThat(AuditChecks.complete(other.subList(1, 2))).isNotEmpty();
  }

  @Test
  void aMachineThatRebootedMoreOftenThanRecordedIsFound() {
    register("m1", "su-1");
    trail.add(new ProvisioningReported(next(), T, "prov-1", "test", MachineId.of("m1"),
        new ProvisioningStep("reimage", "image", T, "prov-1", 1, next())));
    trail.add(new ProvisioningReported(next(), T, "prov-1", "test", MachineId.of("m1"),
        new ProvisioningStep("restart", "agent", T, "prov-1", 1, next())));
    repair("m1", 7, Repair.Status.STARTED);
    assertThat(AuditChecks.machineActionsRecorded(trail, Map.of("m1", new int[] {4, 1}))).isEmpty();
    assertThat(AuditChecks.machineActionsRecorded(trail, Map.of("m1", new int[] {5, 1}))).singleElement()
        .asString().contains("m1 booted 5 times: 4 reboots or reimages, but only 3 recorded");
    assertThat(AuditChecks.machineActionsRecorded(trail, Map.of("m1", new int[] {4, 2}))).singleElement()
        .asString().contains("received 2 reimages, but only 1 recorded");
  }

  @Test
  void aFaultWithoutTheRepairItNeedsIsFound() {
    register("m1", "su-1");
    repair("m1", 7, Repair.Status.STARTED);
    assertThat(AuditChecks.faultsRepaired(trail, Map.of("m1", Fault.HUNG_AGENT))).isEmpty();
    assertThat(AuditChecks.faultsRepaired(trail, Map.of("m1", Fault.DISK_ERROR))).singleElement()
        .asString().contains("m1 got DISK_ERROR but no Replace was started");
  }
}
