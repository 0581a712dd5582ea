package org.autopilot.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.junit.jupiter.api.Test;

/** What {@code autopilot provisioning status} prints. */
class ProvisioningCommandTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final MachineId M1 = MachineId.of("m1");

  static ProvisioningStep step(String name, String detail, int seconds, long rev) {
    return new ProvisioningStep(name, detail, T0.plusSeconds(seconds), "prov-1", 1, rev);
  }

  Machine m1() {
    return Machine.discovered(M1, "127.0.0.1:7301", "SHA256:k1", "web", "su-1", "r1", MachineFacts.UNKNOWN, T0, 1)
        .withProvisioningStep(step("begin", "image abc for type web", 1, 2), 2)
        .withState(LifecycleState.PROVISIONING, T0.plusSeconds(1), 3, "provisioning")
        .withProvisioningStep(step("reimage", "reimage with abc", 2, 4), 4);
  }

  @Test
  void theTableShowsMachinesUnderWayWithTheirLatestStep() {
    Machine healthy = Machine.discovered(MachineId.of("m2"), "127.0.0.1:7302", "SHA256:k2", "web", "su-1", null,
        MachineFacts.UNKNOWN, T0, 1).withProvisioningStep(step("software", "runs web@1", 30, 9), 9)
        .withState(LifecycleState.HEALTHY, T0.plusSeconds(29), 10, "burn-in passed");
    Lease lease = new Lease("provisioning", "prov-1", 3, T0, T0.plusSeconds(600), 5);
    String table = ProvisioningCommand.table(List.of(m1(), healthy), lease, T0.plusSeconds(61), false);
    assertThat(table).contains("leader: prov-1 (epoch 3)");
    assertThat(table).containsPattern("m1 +Provisioning +web +su-1 +1m +reimage +2026-03-01 10:00:02 +reimage with abc");
    assertThat(table).doesNotContain("m2");
    assertThat(ProvisioningCommand.table(List.of(m1(), healthy), null, T0.plusSeconds(61), true))
        .contains("leader: none yet").containsPattern("m2 +Healthy .* software .* runs web@1");
  }

  @Test
  void theTimelineHasATimeForEveryStep() {
    Machine m = m1();
    List<DmEvent> events = List.of(
        new MachineRegistered(1, T0, "satellite", "discovered at 127.0.0.1:7301", m),
        new ProvisioningReported(2, T0.plusSeconds(1), "satellite", "provisioning begin", M1, m.provisioning().get(0)),
        new StateChanged(3, T0.plusSeconds(1), "satellite", "provisioning: image abc", M1, LifecycleState.NEW,
            LifecycleState.PROVISIONING),
        new ProvisioningReported(4, T0.plusSeconds(2), "satellite", "provisioning reimage", M1, m.provisioning().get(1)));
    String t = ProvisioningCommand.timeline(m, events);
    assertThat(t).startsWith("m1: Provisioning since 2026-03-01 10:00:01 UTC, type web, unit su-1, 127.0.0.1:7301");
    assertThat(t).contains("2026-03-01 10:00:00  registered     discovered at 127.0.0.1:7301\n",
        "2026-03-01 10:00:01    begin        image abc for type web [prov-1, epoch 1]\n",
        "2026-03-01 10:00:01  -> Provisioning provisioning: image abc\n",
        "2026-03-01 10:00:02    reimage      reimage with abc [prov-1, epoch 1]\n");
  }
}
