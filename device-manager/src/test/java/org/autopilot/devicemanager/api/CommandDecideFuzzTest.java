package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.Decision;
import org.autopilot.devicemanager.core.FleetSnapshot;
import org.autopilot.devicemanager.core.FleetStateMachine;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.model.*;

/**
 * Coverage-guided fuzzing of the state machine on whatever commands a body yields: each command
 * the API would accept is decided, in order, against a small fleet (two types, two units, three
 * machines, a manifest) and, when accepted, applied. Seeds in
 * {@code src/test/resources/org/autopilot/devicemanager/api/CommandDecideFuzzTestInputs/decide/}.
 *
 * <p>Properties: {@link FleetStateMachine#decide} never throws and is pure (the same answer
 * twice, the fleet untouched); a rejection has a code and a reason; accepted events carry the
 * next revisions, the leader's time, the actor and a cause, and applying them never throws and
 * keeps the fleet's invariants: every machine is filed under its id, has a state and a health,
 * is no newer than the fleet, names only defined types and units and keeps bounded histories;
 * and the fleet survives a snapshot round trip.
 */
class CommandDecideFuzzTest {
  private static final FleetStateMachine RULES = new FleetStateMachine();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String ACTOR = "fuzz-operator";
  private static final Fleet BASE = baseFleet();

  @FuzzTest
  @DictionaryEntries({"\"type\":", "\"ChangeState\"", "\"PlaceMachine\"", "\"ReportWatchdogs\"",
      "\"ReportHealth\"", "\"AssignManifest\"", "\"StartRollout\"", "\"ClaimRepair\"",
      "\"SetBudget\"", "\"SetHealthPolicy\"", "\"AcquireLease\"", "\"SilenceMachine\"",
      "\"machine\":", "\"machines\":", "\"manifest\":", "\"expectedVersion\":", "\"to\":",
      "\"Healthy\"", "\"Provisioning\"", "\"Failure\"", "\"Error\"", "\"web@1\"", "\"m1\"",
      "\"m3\"", "\"web\"", "\"su-1\"", "9223372036854775807", "-9223372036854775808"})
  void decide(byte[] body) throws Exception {
    List<DmCommand> commands;
    try {
      commands = CommandBody.read(body).commands();
    } catch (ApiError e) {
      return;
    }
    Fleet fleet = BASE;
    for (DmCommand c : commands) {
      fleet = step(fleet, c);
    }
  }

  private static Fleet step(Fleet fleet, DmCommand c) throws Exception {
    Proposal p = new Proposal(ACTOR, c);
    Decision d = RULES.decide(fleet, p, NOW);
    assertThat(RULES.decide(fleet, p, NOW)).as("decide is pure").isEqualTo(d);
    if (d instanceof Decision.Rejected r) {
      assertThat(r.code()).isNotNull();
      assertThat(r.reason()).as("reason for %s", c).isNotBlank();
      return fleet;
    }
    List<DmEvent> events = ((Decision.Accepted) d).events();
    Fleet f = fleet;
    for (DmEvent e : events) {
      assertThat(e.revision()).isEqualTo(f.revision() + 1);
      assertThat(e.at()).isEqualTo(NOW);
      assertThat(e.actor()).isEqualTo(ACTOR);
      assertThat(e.cause()).isNotNull();
      f = RULES.apply(f, e);
    }
    assertInvariants(f);
    if (!events.isEmpty()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      FleetSnapshot.write(f, out);
      assertThat(FleetSnapshot.read(new ByteArrayInputStream(out.toByteArray())))
          .as("snapshot round trip after %s", c).isEqualTo(f);
    }
    return f;
  }

  static void assertInvariants(Fleet f) {
    f.machines().forEach((id, m) -> {
      assertThat(m.id()).isEqualTo(id);
      assertThat(m.state()).as("state of %s", id).isNotNull();
      assertThat(m.health()).as("health of %s", id).isNotNull();
      assertThat(m.version()).isLessThanOrEqualTo(f.revision());
      if (m.machineType() != null) {
        assertThat(f.machineTypes()).as("type of %s", id).containsKey(m.machineType());
      }
      if (m.scaleUnit() != null) {
        assertThat(f.scaleUnits()).as("unit of %s", id).containsKey(m.scaleUnit());
      }
      assertThat(m.failures()).hasSizeLessThanOrEqualTo(Machine.MAX_FAILURES);
      assertThat(m.provisioning()).hasSizeLessThanOrEqualTo(Machine.MAX_PROVISIONING_STEPS);
      assertThat(m.watchdogs()).hasSizeLessThanOrEqualTo(ReportWatchdogs.MAX_WATCHDOGS);
      m.watchdogs().values().forEach(w ->
          assertThat(w.text()).hasSizeLessThanOrEqualTo(WatchdogState.MAX_TEXT));
    });
    if (!f.events().isEmpty()) {
      assertThat(f.events().lastKey()).isEqualTo(f.revision());
    }
  }

  private static Fleet baseFleet() {
    Fleet f = Fleet.empty(1000);
    List<DmCommand> setup = List.of(
        new DefineMachineType("web", "sha256:img-web", "set up"),
        new DefineMachineType("db", "sha256:img-db", "set up"),
        new DefineScaleUnit("su-1", "set up"),
        new DefineScaleUnit("su-2", "set up"),
        register("m1", "web", "su-1"), register("m2", "web", "su-1"), register("m3", "db", "su-2"),
        new RegisterManifest(new org.autopilot.manifests.Manifest("web", "1", "web",
            List.of(new org.autopilot.manifests.ManifestFile("app/run.sh", "0".repeat(64), 12,
                "0755", null)),
            List.of(new org.autopilot.manifests.AppSpec("app", "app", "./run.sh", null, null,
                null)),
            null), new ManifestVersion.Origin("c0ffee", "Ada", "release 1", "web.yaml"),
        "ingested"));
    for (DmCommand c : setup) {
      FleetStateMachine.Outcome o = RULES.execute(f, new Proposal("setup", c), NOW);
      if (!o.result().accepted()) {
        throw new IllegalStateException("base fleet: " + c + ": " + o.result().reason());
      }
      f = o.fleet();
    }
    return f;
  }

  private static RegisterMachine register(String id, String type, String unit) {
    return new RegisterMachine(MachineId.of(id), "127.0.0.1:2222", "SHA256:key-" + id, type, unit,
        "rack-1", new MachineFacts(4, 8L << 30, List.of("sda")), "discovered");
  }
}
