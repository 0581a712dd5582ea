package org.autopilot.cockpit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetView;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.junit.jupiter.api.Test;

/** The mirror reads everything once, then only the machines the new audit events name. */
class FleetMirrorTest {
  final FixtureFleet dm = new FixtureFleet();
  Instant now = Instant.parse("2026-11-22T12:00:00Z");
  final InstantSource clock = () -> now;
  final FleetMirror mirror = new FleetMirror(dm, FleetMirror.Settings.DEFAULTS, clock);

  @Test
  void aFirstLoadReadsEverythingAndSummarises() {
    assertThat(mirror.view().loadedAt()).isNull();
    FleetView v = mirror.update(dm.watch(0, Duration.ZERO));
    assertThat(v.revision()).isEqualTo(99);
    assertThat(v.machines()).hasSize(6);
    assertThat(v.summary().all().in(LifecycleState.HEALTHY)).isEqualTo(3);
    assertThat(v.summary().all().with(Health.ERROR)).isEqualTo(2);
    assertThat(v.summary().byType()).extracting(r -> r.name()).containsExactly("db", "web");
    assertThat(v.summary().budgets()).anySatisfy(b -> {
      assertThat(b.scope()).isEqualTo("unit:su-2");
      assertThat(b.used()).isEqualTo(2);
      assertThat(b.cap()).isEqualTo(1);
      assertThat(b.full()).isTrue();
    });
    assertThat(v.summary().openIncidents()).hasSize(1);
    assertThat(v.events()).extracting(e -> e.actor()).containsExactly("repair-1", "operator/alice");
    assertThat(v.decisions()).hasSize(1);
    assertThat(v.manifests()).containsKey("web@2");
  }

  @Test
  void laterUpdatesReadOnlyTheMachinesTheNewEventsName() {
    mirror.update(dm.watch(0, Duration.ZERO));
    int reads = dm.machineReads;
    synchronized (dm) {
      Machine old = dm.machines.get(MachineId.of("sim-03"));
      dm.machines.put(old.id(), old.withState(LifecycleState.PROBATION, now, 100, "kicked"));
      dm.events.add(new StateChanged(100, now, "operator/bob", "testing", old.id(),
          LifecycleState.HEALTHY, LifecycleState.PROBATION));
      dm.revision = 100;
    }
    now = now.plusSeconds(1);
    FleetView v = mirror.update(dm.watch(99, Duration.ZERO));
    assertThat(dm.machineReads - reads).isEqualTo(1);
    assertThat(v.revision()).isEqualTo(100);
    assertThat(v.machine("sim-03").state()).isEqualTo(LifecycleState.PROBATION);
    assertThat(v.summary().all().in(LifecycleState.PROBATION)).isEqualTo(2);
    assertThat(v.events().get(v.events().size() - 1).what()).isEqualTo("Healthy → Probation");
  }

  @Test
  void listenersHearOfEveryNewCopy() {
    java.util.List<Long> seen = new java.util.ArrayList<>();
    mirror.onUpdate(v -> seen.add(v.revision()));
    mirror.update(99);
    assertThat(seen).containsExactly(99L);
  }

  @Test
  void withoutADmTheViewSaysSo() {
    FleetMirror none = new FleetMirror(null, FleetMirror.Settings.DEFAULTS, clock).start();
    assertThat(none.view().configured()).isFalse();
    assertThat(none.view().problem()).contains("no Device Manager configured");
    none.close();
  }
}
