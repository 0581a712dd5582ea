package org.autopilot.provisioning.burnin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.provisioning.BurnInSettings;
import org.autopilot.provisioning.burnin.BurnInPlan.Kind;
import org.junit.jupiter.api.Test;

class BurnInPlanTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final BurnInSettings S = BurnInSettings.defaults().withDuration(Duration.ofMinutes(10));

  static Machine inBurnIn(WatchdogState... ws) {
    TreeMap<String, WatchdogState> map = new TreeMap<>();
    for (WatchdogState w : ws) {
      map.put(w.name(), w);
    }
    return Machine.discovered(MachineId.of("m1"), "10.0.0.1:22", "SHA256:k", "web", "su-1", null,
        MachineFacts.UNKNOWN, T0, 1).withState(LifecycleState.BURN_IN, T0, 2, "imaged")
        .withWatchdogs(map, Machine.overall(map.values()), T0, 3);
  }

  static WatchdogState w(String name, Health h, String text) {
    return new WatchdogState(name, h, text, T0, 1);
  }

  static final WatchdogState HB = w("heartbeat", Health.OK, "heartbeat OK: agent alive");
  static final WatchdogState DISK = w("disk", Health.OK, "disk OK");
  static final WatchdogState MEM = w("memory", Health.WARNING, "memory WARNING: below 10%");

  @Test
  void passesAfterTheDurationWithTheRequiredWatchdogsSound() {
    Machine m = inBurnIn(HB, DISK, MEM);
    assertThat(BurnInPlan.next(m, List.of(), T0.plusSeconds(599), S).kind()).isEqualTo(Kind.WAIT);
    BurnInPlan.Step pass = BurnInPlan.next(m, List.of(), T0.plusSeconds(600), S);
    assertThat(pass.kind()).isEqualTo(Kind.PASS);
    assertThat(pass.detail()).isEqualTo("no Error for 10m; heartbeat, disk, memory sound");
  }

  @Test
  void anyErrorFailsAtOnceAndSoDoesOneThatCameAndWent() {
    Machine bad = inBurnIn(HB, w("disk", Health.ERROR, "disk ERROR: unrecoverable I/O error"), MEM);
    BurnInPlan.Step now = BurnInPlan.next(bad, List.of(), T0.plusSeconds(1), S);
    assertThat(now.kind()).isEqualTo(Kind.FAIL);
    assertThat(now.detail()).isEqualTo("burn-in failed: disk: disk ERROR: unrecoverable I/O error");
    BurnInPlan.Step gone = BurnInPlan.next(inBurnIn(HB, DISK, MEM), List.of("apps: apps ERROR: web CRASH_LOOP"),
        T0.plusSeconds(1), S);
    assertThat(gone.kind()).isEqualTo(Kind.FAIL);
    assertThat(gone.detail()).contains("apps: apps ERROR: web CRASH_LOOP", "reported during burn-in");
    BurnInSettings lenient = new BurnInSettings(Duration.ofMinutes(10), List.of("heartbeat"), List.of("apps"));
    assertThat(BurnInPlan.next(inBurnIn(HB), List.of("apps: apps ERROR: web CRASH_LOOP"), T0.plusSeconds(1), lenient)
        .kind()).as("ignored").isEqualTo(Kind.WAIT);
  }

  @Test
  void aRequiredWatchdogThatNeverReportedOrIsUnknownFailsAtTheEnd() {
    Machine m = inBurnIn(HB, w("memory", Health.UNKNOWN, "memory UNKNOWN: no /proc/meminfo"));
    BurnInPlan.Step s = BurnInPlan.next(m, List.of(), T0.plusSeconds(600), S);
    assertThat(s.kind()).isEqualTo(Kind.FAIL);
    assertThat(s.detail()).contains("disk (never reported)", "memory (UNKNOWN: memory UNKNOWN: no /proc/meminfo)");
  }
}
