package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.model.*;

/** Given / when / then for the state machine, with a manual leader clock. */
final class FleetScript {
  final FleetStateMachine rules = new FleetStateMachine();
  Fleet fleet = Fleet.empty(1000);
  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  String actor = "test-operator";

  /** Applies commands that must be accepted. */
  FleetScript given(DmCommand... commands) {
    for (DmCommand c : commands) {
      CommandResult r = when(c);
      assertThat(r.accepted()).as("given %s: %s", c, r.reason()).isTrue();
    }
    return this;
  }

  /** Runs one command; the fleet moves on only if it is accepted. */
  CommandResult when(DmCommand c) {
    FleetStateMachine.Outcome o = rules.execute(fleet, new Proposal(actor, c), now);
    fleet = o.fleet();
    return o.result();
  }

  /** Moves the leader clock. */
  FleetScript after(Duration d) {
    now = now.plus(d);
    return this;
  }

  Machine machine(String id) {
    return fleet.machine(MachineId.of(id));
  }

  List<DmEvent> events() {
    return List.copyOf(fleet.events().values());
  }

  static DefineMachineType type(String name) {
    return new DefineMachineType(name, "sha256:img-" + name, "set up " + name);
  }

  static DefineScaleUnit unit(String name) {
    return new DefineScaleUnit(name, "set up " + name);
  }

  static RegisterMachine register(String id, String type, String unit) {
    return new RegisterMachine(MachineId.of(id), "127.0.0.1:2222", "SHA256:key-" + id, type, unit,
        "rack-1", new MachineFacts(4, 8L << 30, List.of("sda")), "discovered by scan");
  }

  static ChangeState move(String id, LifecycleState to) {
    return new ChangeState(MachineId.of(id), 0, to, "to " + to.label());
  }

  static ReportHealth health(String id, Health h) {
    return new ReportHealth(MachineId.of(id), h, "watchdog says " + h);
  }

  /** A one-app manifest {@code name@version} for machine type {@code type}. */
  static org.autopilot.manifests.Manifest manifest(String name, String version, String type) {
    return new org.autopilot.manifests.Manifest(name, version, type,
        List.of(new org.autopilot.manifests.ManifestFile("app/run.sh", "0".repeat(63) + version.length(),
            12, "0755", null)),
        List.of(new org.autopilot.manifests.AppSpec("app", "app", "./run.sh", null, null, null)),
        null);
  }

  static RegisterManifest registerManifest(String name, String version, String type) {
    return new RegisterManifest(manifest(name, version, type),
        new ManifestVersion.Origin("c0ffee", "Ada", "release " + version, name + ".yaml"),
        "ingested");
  }

  static org.autopilot.manifests.ManifestRef ref(String text) {
    return org.autopilot.manifests.ManifestRef.parse(text);
  }

  static List<MachineId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(MachineId::of).toList();
  }
}
