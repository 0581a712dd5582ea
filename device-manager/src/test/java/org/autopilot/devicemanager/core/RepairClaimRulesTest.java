package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Repair.Status;
import org.junit.jupiter.api.Test;

/** Handing out repairs under the repair lease: who may claim, start and finish. */
class RepairClaimRulesTest {
  final FleetScript s = new FleetScript().given(type("web"), unit("su-1"),
      register("m1", "web", "su-1"), move("m1", PROVISIONING), move("m1", BURN_IN),
      move("m1", HEALTHY), new SetHealthPolicy("default", new HealthPolicy(null, null, null, null,
          null, null, List.of(RepairAction.REBOOT), null, null, null), "reboot first"));

  /** m1 fails: three Error reports in a row. */
  long failM1() {
    for (int n = 1; n <= 3; n++) {
      s.given(new ReportWatchdogs(List.of(new MachineReport(MachineId.of("m1"),
          List.of(new Verdict("disk", Health.ERROR, "sda slow", n)))), "watchdog"));
    }
    Repair r = s.machine("m1").repair();
    assertThat(r.status()).isEqualTo(Status.WAITING);
    assertThat(r.held()).isNull();
    return r.id();
  }

  @Test
  void aClaimLeftByAHolderThatReleasedTheLeaseCanBeClaimedByTheNextHolder() {
    long id = failM1();
    s.given(new AcquireLease("repair", "a", 10_000, ""), new ClaimRepair(MachineId.of("m1"), id, "a", ""),
        new ReleaseLease("repair", "a", "shutting down"), new AcquireLease("repair", "b", 10_000, ""));

    CommandResult late = s.when(new StartRepair(MachineId.of("m1"), id, "a", ""));
    CommandResult reclaim = s.when(new ClaimRepair(MachineId.of("m1"), id, "b", ""));

    assertThat(late.accepted()).as("a gave the lease up; it may not start").isFalse();
    assertThat(reclaim.accepted()).as("b takes over what a claimed: %s", reclaim.reason()).isTrue();
    assertThat(s.machine("m1").repair().holder()).isEqualTo("b");
    assertThat(s.when(new StartRepair(MachineId.of("m1"), id, "b", "")).accepted()).isTrue();
    assertThat(s.when(new ClaimRepair(MachineId.of("m1"), id, "b", "")).code())
        .as("started: never handed out again").isEqualTo(Rejection.STALE);
  }

  @Test
  void repairCommandsWithoutAHolderAreRejectedNotThrown() {
    long id = failM1();
    s.given(new AcquireLease("repair", "a", 10_000, ""), new ClaimRepair(MachineId.of("m1"), id, "a", ""));

    for (DmCommand c : List.of(new StartRepair(MachineId.of("m1"), id, null, ""),
        new ClaimRepair(MachineId.of("m1"), id, null, ""),
        new FinishRepair(MachineId.of("m1"), id, null, true, "", ""))) {
      CommandResult r = s.when(c);
      assertThat(r.accepted()).as("%s", c).isFalse();
      assertThat(r.code()).isEqualTo(Rejection.INVALID);
    }
    assertThat(s.machine("m1").repair().status()).isEqualTo(Status.CLAIMED);
  }
}
