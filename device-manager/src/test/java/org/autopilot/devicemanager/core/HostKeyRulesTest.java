package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.util.List;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.event.HostKeyPinned;
import org.autopilot.devicemanager.event.IncidentUpdated;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Repair.Status;
import org.junit.jupiter.api.Test;

/**
 * A machine that presents another SSH host key: an incident opens, automation stops there (its
 * repair held, state moves refused) until an operator pins the new key or resolves the incident.
 */
class HostKeyRulesTest {
  static final String PINNED = "SHA256:" + "P".repeat(43);
  static final String OTHER = "SHA256:" + "X".repeat(43);
  final FleetScript s = new FleetScript().given(type("web"), unit("su-1"),
      new SetHealthPolicy("default", new HealthPolicy(3, "30s", "30s", "2m", "10m", "24h",
          List.of(RepairAction.REBOOT, RepairAction.REIMAGE, RepairAction.REPLACE), null, null,
          new HealthPolicy.Breaker(100, 100, "10m")), "reboot first"),
      new RegisterMachine(MachineId.of("h1"), "127.0.0.1:22", PINNED, "web", "su-1", "r1", null, "found"),
      move("h1", PROVISIONING), move("h1", BURN_IN), move("h1", HEALTHY),
      new AcquireLease("repair", "repair-1", 60_000, ""));

  /** Three Errors in a row: confirmed, Failure, a Reboot waiting. */
  void fails() {
    for (int i = 1; i <= 3; i++) {
      s.given(new ReportWatchdogs(List.of(new ReportWatchdogs.MachineReport(MachineId.of("h1"),
          List.of(new ReportWatchdogs.Verdict("ssh-probe", Health.ERROR, "host key mismatch", i)))), ""));
    }
  }

  CommandResult changed(String key) {
    return s.when(new ReportHostKeyChange(MachineId.of("h1"), key, "repair-1 at 127.0.0.1:22"));
  }

  Incident incident() {
    return HostKeyRules.openIncident(s.fleet, MachineId.of("h1"));
  }

  @Test
  void aChangedKeyOpensOneIncidentAndHoldsTheRepairUntilAnOperatorPinsTheNewKey() {
    fails();
    assertThat(s.machine("h1").repair().status()).isEqualTo(Status.WAITING);
    assertThat(s.machine("h1").repair().held()).isNull();

    s.actor = "repair";
    assertThat(changed(OTHER).accepted()).isTrue();
    Incident i = incident();
    assertThat(i).isNotNull();
    assertThat(i.scope()).isEqualTo("machine:h1");
    assertThat(i.reason()).contains("pinned " + PINNED, "presented " + OTHER, "seen by repair");
    assertThat(s.machine("h1").repair().held()).as("held at once")
        .isEqualTo("incident " + i.id() + " open for machine:h1");
    long revision = s.fleet.revision();
    assertThat(changed(OTHER).accepted()).isTrue();
    assertThat(s.fleet.revision()).as("reported again: nothing changes").isEqualTo(revision);

    CommandResult claim = s.when(new ClaimRepair(MachineId.of("h1"), s.machine("h1").repair().id(),
        "repair-1", ""));
    assertThat(claim.code()).isEqualTo(Rejection.CONFLICT);
    assertThat(claim.reason()).contains("held: incident " + i.id());
    CommandResult moveIt = s.when(move("h1", REPLACE));
    assertThat(moveIt.code()).isEqualTo(Rejection.CONFLICT);
    assertThat(moveIt.reason()).contains("automation is stopped on h1", "incident " + i.id());
    assertThat(s.machine("h1").state()).isEqualTo(FAILURE);

    s.actor = "operator/alice";
    s.given(new PinHostKey(MachineId.of("h1"), 0, OTHER, "board swapped, key checked on the console"));
    assertThat(s.machine("h1").hostKeyFingerprint()).isEqualTo(OTHER);
    assertThat(incident()).isNull();
    assertThat(s.fleet.incidents().get(i.id()).resolvedBy()).isEqualTo("operator/alice");
    assertThat(s.machine("h1").repair().held()).as("the hold is lifted at once").isNull();
    s.actor = "repair";
    assertThat(s.when(new ClaimRepair(MachineId.of("h1"), s.machine("h1").repair().id(), "repair-1", ""))
        .accepted()).isTrue();
    assertThat(FleetQueries.events(s.fleet, 0, MachineId.of("h1"), 200).items())
        .as("the machine's audit trail shows the incident and the pin")
        .anySatisfy(e -> assertThat(e).isInstanceOf(IncidentUpdated.class))
        .anySatisfy(e -> assertThat(e).isInstanceOf(HostKeyPinned.class));
  }

  @Test
  void resolvingTheIncidentKeepsThePinnedKeyAndAReportOfThePinnedKeyIsStale() {
    assertThat(changed(OTHER).accepted()).isTrue();
    long id = incident().id();
    s.given(new ResolveIncident(id, "the impostor at that address was unplugged"));
    assertThat(incident()).isNull();
    assertThat(s.machine("h1").hostKeyFingerprint()).isEqualTo(PINNED);
    assertThat(s.when(move("h1", PROBATION)).accepted()).as("automation resumes").isTrue();

    CommandResult stale = changed(PINNED);
    assertThat(stale.code()).isEqualTo(Rejection.STALE);
    assertThat(changed(OTHER).accepted()).as("seen again: a new incident").isTrue();
    assertThat(incident().id()).isGreaterThan(id);
  }

  @Test
  void badReportsAreRefusedAndChangeNothing() {
    long revision = s.fleet.revision();
    assertThat(changed("SHA256:short").reason()).contains("'SHA256:short' is not a fingerprint");
    assertThat(changed(null).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.when(new ReportHostKeyChange(MachineId.of("nope"), OTHER, "")).code())
        .isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.when(new ReportHostKeyChange(null, OTHER, "")).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.fleet.revision()).isEqualTo(revision);
    assertThat(s.when(new PinHostKey(MachineId.of("h1"), 0, OTHER, "")).code())
        .as("no incident, not New: the key of a machine in service is not changed")
        .isEqualTo(Rejection.ILLEGAL_TRANSITION);
  }
}
