package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.HostKeyPinned;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.api.Test;

/** Provisioning steps recorded on machines, fenced by the provisioning lease. */
class ProvisioningRulesTest {
  final FleetScript s = new FleetScript().given(type("web"), unit("su-1"), register("m1", "web", "su-1"),
      new AcquireLease("provisioning", "prov-1", 10_000, "leader"));

  static ReportProvisioning step(String holder, String step, String detail) {
    return new ReportProvisioning(MachineId.of("m1"), 0, holder, step, detail, "provisioning " + step);
  }

  @Test
  void theLeaseHoldersStepsAreRecordedWithLeaderTimeAndEpoch() {
    s.given(step("prov-1", "begin", "round 1"));
    s.after(Duration.ofSeconds(3)).given(step("prov-1", "reimage", "reimage 3f2a..."));

    List<ProvisioningStep> steps = s.machine("m1").provisioning();
    assertThat(steps).extracting(ProvisioningStep::step).containsExactly("begin", "reimage");
    assertThat(steps.get(1).at()).isEqualTo(s.now);
    assertThat(steps.get(1).holder()).isEqualTo("prov-1");
    assertThat(steps.get(1).epoch()).isEqualTo(1);
    assertThat(steps.get(1).detail()).isEqualTo("reimage 3f2a...");
    assertThat(steps.get(1).revision()).isEqualTo(s.fleet.revision());
    assertThat(s.events().get(s.events().size() - 1)).isInstanceOf(ProvisioningReported.class);
  }

  @Test
  void aReplicaWithoutTheLeaseIsRefusedAndSoIsADeposedOne() {
    CommandResult other = s.when(step("prov-2", "begin", ""));
    assertThat(other.code()).isEqualTo(Rejection.LEASE_HELD);
    assertThat(other.reason()).contains("prov-2 does not hold the provisioning lease", "held by prov-1, epoch 1");

    s.after(Duration.ofSeconds(11)).given(new AcquireLease("provisioning", "prov-2", 10_000, "took over"));
    CommandResult deposed = s.when(step("prov-1", "reimage", ""));
    assertThat(deposed.code()).isEqualTo(Rejection.LEASE_HELD);
    s.given(step("prov-2", "reimage", ""));
    assertThat(s.machine("m1").provisioning()).singleElement()
        .satisfies(p -> assertThat(p.epoch()).isEqualTo(2));

    s.after(Duration.ofSeconds(11));
    assertThat(s.when(step("prov-2", "installed", "")).reason()).contains("expired");
  }

  @Test
  void aStepDecidedOnAnOlderVersionOfTheMachineIsStale() {
    long seen = s.machine("m1").version();
    s.given(move("m1", REPLACE), new MarkReplaced(MachineId.of("m1"), "RMA-1"));
    CommandResult late = s.when(new ReportProvisioning(MachineId.of("m1"), seen, "prov-1", "software", "web@1", ""));
    assertThat(late.code()).isEqualTo(Rejection.STALE);
    assertThat(late.reason()).contains("decided on version " + seen);
    long now = s.machine("m1").version();
    s.given(new ReportProvisioning(MachineId.of("m1"), now, "prov-1", "begin", "", ""));
    assertThat(s.machine("m1").provisioning()).singleElement().satisfies(p -> assertThat(p.step()).isEqualTo("begin"));
  }

  @Test
  void malformedReportsAreRejectedNamingTheField() {
    assertThat(s.when(step("prov-1", "Begin!", "")).reason()).contains("step 'Begin!' must match");
    assertThat(s.when(step("prov-1", "begin", "x".repeat(1001))).reason()).contains("detail is longer");
    assertThat(s.when(step(" ", "begin", "")).reason()).isEqualTo("holder is missing");
    assertThat(s.when(new ReportProvisioning(MachineId.of("nope"), 0, "prov-1", "begin", "", "")).code())
        .isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.machine("m1").provisioning()).isEmpty();
  }

  @Test
  void aMachineKeepsItsNewestStepsAndLosesThemWithItsHardware() {
    for (int i = 0; i < Machine.MAX_PROVISIONING_STEPS + 5; i++) {
      s.given(step("prov-1", "tick", Integer.toString(i)));
    }
    List<ProvisioningStep> steps = s.machine("m1").provisioning();
    assertThat(steps).hasSize(Machine.MAX_PROVISIONING_STEPS);
    assertThat(steps.get(0).detail()).isEqualTo("5");

    s.given(move("m1", REPLACE), new MarkReplaced(MachineId.of("m1"), "RMA-7"));
    assertThat(s.machine("m1").provisioning()).isEmpty();
    assertThat(s.machine("m1").state()).isEqualTo(NEW);
  }

  @Test
  void stepsSurviveASnapshotAndAreInTheMachinesAuditTrail() throws Exception {
    s.given(step("prov-1", "begin", "round 1"), new ReportWatchdogs(List.of(new MachineReport(
        MachineId.of("m1"), List.of(new Verdict("disk", Health.OK, "fine", 1)))), "agent"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    FleetSnapshot.write(s.fleet, out);
    Fleet back = FleetSnapshot.read(new ByteArrayInputStream(out.toByteArray()));
    assertThat(back.machine(MachineId.of("m1"))).isEqualTo(s.machine("m1"));

    List<DmEvent> trail = FleetQueries.events(s.fleet, 0, MachineId.of("m1"), 100).items();
    assertThat(trail).anySatisfy(e -> assertThat(e).isInstanceOf(ProvisioningReported.class));
    assertThat(trail).anySatisfy(e -> assertThat(e).isInstanceOf(WatchdogsReported.class));

    String json = Json.mapper().writeValueAsString(step("prov-1", "begin", "x"));
    assertThat(Json.mapper().readValue(json, DmCommand.class)).isEqualTo(step("prov-1", "begin", "x"));
  }

  @Test
  void aMachineWrittenBeforeProvisioningStepsExistedReadsBackWithNone() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode json = Json.mapper().valueToTree(s.machine("m1"));
    json.remove("provisioning");
    Machine old = Json.mapper().treeToValue(json, Machine.class);
    assertThat(old.provisioning()).isEmpty();
    assertThat(old).isEqualTo(s.machine("m1"));
  }

  static final String NEW_KEY = "SHA256:" + "A".repeat(42) + "Q";

  @Test
  void anOperatorPinsAnotherKeyOnlyOnAMachineInNewAndNeverOneAnotherMachineHolds() {
    PinHostKey pin = new PinHostKey(MachineId.of("m1"), 0, NEW_KEY, "RMA-9: new board, key checked on the console");
    s.given(pin);
    assertThat(s.machine("m1").hostKeyFingerprint()).isEqualTo(NEW_KEY);
    assertThat(s.events().get(s.events().size() - 1)).isInstanceOfSatisfying(HostKeyPinned.class, e -> {
      assertThat(e.previous()).isEqualTo("SHA256:key-m1");
      assertThat(e.cause()).contains("RMA-9");
    });
    assertThat(FleetQueries.events(s.fleet, 0, MachineId.of("m1"), 100).items())
        .as("in the machine's audit trail").anySatisfy(e -> assertThat(e).isInstanceOf(HostKeyPinned.class));
    long version = s.machine("m1").version();
    assertThat(s.when(pin).accepted()).isTrue();
    assertThat(s.machine("m1").version()).as("the same key again changes nothing").isEqualTo(version);

    s.given(register("m2", "web", "su-1"));
    CommandResult taken = s.when(new PinHostKey(MachineId.of("m2"), 0, NEW_KEY, ""));
    assertThat(taken.code()).isEqualTo(Rejection.CONFLICT);
    assertThat(taken.reason()).contains("pinned to machine m1");

    s.given(move("m1", PROVISIONING));
    CommandResult inService = s.when(new PinHostKey(MachineId.of("m1"), 0, "SHA256:" + "B".repeat(43), ""));
    assertThat(inService.code()).isEqualTo(Rejection.ILLEGAL_TRANSITION);
    assertThat(inService.reason()).contains("is Provisioning", "only on a machine in New");
    assertThat(s.machine("m1").hostKeyFingerprint()).isEqualTo(NEW_KEY);
  }

  @Test
  void aMalformedOrStalePinIsRefusedAndChangesNothing() {
    long seen = s.machine("m1").version();
    assertThat(s.when(new PinHostKey(MachineId.of("m1"), 0, "SHA256:abc", "")).reason())
        .contains("'SHA256:abc' is not a fingerprint");
    assertThat(s.when(new PinHostKey(MachineId.of("m1"), 0, null, "")).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.when(new PinHostKey(MachineId.of("zz"), 0, NEW_KEY, "")).code()).isEqualTo(Rejection.NOT_FOUND);
    s.given(step("prov-1", "tick", ""));
    assertThat(s.when(new PinHostKey(MachineId.of("m1"), seen, NEW_KEY, "")).code()).isEqualTo(Rejection.STALE);
    assertThat(s.machine("m1").hostKeyFingerprint()).isEqualTo("SHA256:key-m1");
  }
}
