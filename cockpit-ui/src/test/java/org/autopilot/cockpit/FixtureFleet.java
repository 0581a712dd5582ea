package org.autopilot.cockpit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autopilot.cockpit.fleet.CommandSink;
import org.autopilot.cockpit.fleet.FleetSource;
import org.autopilot.cockpit.fleet.ManifestSummary;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.FailureRecord;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.IngestStatus;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.MachineSoftware;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.devicemanager.model.RepairDecision;
import org.autopilot.devicemanager.model.Rollout;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.manifests.ManifestRef;

/**
 * A stand-in for the DM's read API and command endpoint, holding a small fleet in memory: what
 * Cockpit's controller tests render, and where their operator actions land (with the user).
 */
public final class FixtureFleet implements FleetSource, CommandSink {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  static final ManifestRef WEB1 = ManifestRef.parse("web@1");
  static final ManifestRef WEB2 = ManifestRef.parse("web@2");

  /**
   * A command Cockpit sent.
   *
   * @param user on whose behalf
   * @param command what
   */
  public record Sent(String user, DmCommand command) {}

  final TreeMap<MachineId, Machine> machines = new TreeMap<>();
  final List<DmEvent> events = new ArrayList<>();
  final List<RepairDecision> decisions = new ArrayList<>();
  final List<Sent> sent = new CopyOnWriteArrayList<>();
  long revision = 99;
  int machineReads;

  /** Six machines of two types in two units: healthy, a rollout baking, a failed one held, one to replace. */
  public FixtureFleet() {
    for (int i = 1; i <= 6; i++) {
      String id = String.format("sim-%02d", i);
      LifecycleState s = i == 4 ? LifecycleState.FAILURE : i == 5 ? LifecycleState.REPLACE
          : i == 2 ? LifecycleState.PROBATION : LifecycleState.HEALTHY;
      Health h = i == 4 || i == 5 ? Health.ERROR : Health.OK;
      var wd = new TreeMap<String, WatchdogState>();
      wd.put("disk", new WatchdogState("disk", h, h == Health.ERROR ? "disk I/O error on sda" : "12% used",
          T0, 3));
      Repair repair = i == 4 ? Repair.chosen(90, RepairAction.REBOOT, "2nd failure within 24h", false, T0)
          .heldFor("budget unit:su-2 1/1 in repair or rollout") : null;
      ManifestRef running = i == 2 ? WEB2 : WEB1;
      machines.put(MachineId.of(id), new Machine(MachineId.of(id), "127.0.0.1:" + (7300 + i),
          "SHA256:key" + i, i % 3 == 0 ? "db" : "web", i % 2 == 1 ? "su-1" : "su-2", "rack-1",
          new MachineFacts(4, 8L << 30, List.of("sda")), s, T0, h, T0,
          i == 4 ? List.of(new FailureRecord(89, T0, "disk: disk I/O error")) : List.of(),
          new MachineSoftware(List.of(WEB1, WEB2), running, List.of(WEB1, WEB2), running,
              List.of(new AppStatus("web", AppStatus.State.RUNNING, 0, "")), 0),
          wd, repair, null, null, 1, 50 + i));
    }
    events.add(new StateChanged(98, T0, "repair-1", "confirmed: disk I/O error", MachineId.of("sim-04"),
        LifecycleState.HEALTHY, LifecycleState.FAILURE));
    events.add(new StateChanged(99, T0, "operator/alice", "looked at it", MachineId.of("sim-01"),
        LifecycleState.PROBATION, LifecycleState.HEALTHY));
    decisions.add(new RepairDecision(97, T0, MachineId.of("sim-04"), "unit:su-2", "held",
        "Reboot held: budget unit:su-2 1/1 in repair or rollout"));
  }

  @Override
  public synchronized long watch(long index, Duration wait) {
    return revision;
  }

  @Override
  public synchronized List<Machine> allMachines() {
    return new ArrayList<>(machines.values());
  }

  @Override
  public synchronized Optional<Machine> machine(MachineId id) {
    machineReads++;
    return Optional.ofNullable(machines.get(id));
  }

  @Override
  public synchronized FleetQueries.EventPage events(long after, int limit) {
    List<DmEvent> out = events.stream().filter(e -> e.revision() > after).limit(limit).toList();
    return new FleetQueries.EventPage(revision, out.size(), out, null);
  }

  @Override
  public synchronized List<DmEvent> machineEvents(MachineId id, int limit) {
    return events.stream().filter(e -> id.equals(FleetQueries.subject(e))).toList();
  }

  @Override
  public synchronized List<RepairDecision> machineDecisions(MachineId id, int limit) {
    return decisions.stream().filter(d -> id.equals(d.machine())).toList();
  }

  @Override
  public synchronized FleetQueries.DecisionPage decisions(long after, int limit) {
    return new FleetQueries.DecisionPage(revision, decisions.stream()
        .filter(d -> d.revision() > after).toList(), null);
  }

  @Override
  public synchronized FleetQueries.RepairQueue repairs() {
    List<FleetQueries.RepairItem> items = new ArrayList<>();
    for (Machine m : machines.values()) {
      if (m.repair() != null && m.repair().active()) {
        items.add(new FleetQueries.RepairItem(m.id(), m.state(), m.machineType(), m.scaleUnit(),
            m.rack(), m.address(), m.hostKeyFingerprint(), "img", m.repair()));
      }
    }
    return new FleetQueries.RepairQueue(revision, items);
  }

  @Override
  public List<Incident> incidents() {
    return List.of(new Incident(95, "unit:su-2", "3 of 10 machines of unit:su-2 failed within 10m",
        List.of(MachineId.of("sim-04")), T0, null, null, 95));
  }

  @Override
  public List<Rollout> rollouts() {
    return List.of(new Rollout("web", WEB1, WEB2, Rollout.Status.RUNNING,
        List.of(new Rollout.UnitRollout("su-1", Rollout.Phase.PASSED, T0),
            new Rollout.UnitRollout("su-2", Rollout.Phase.ACTIVATING, T0)),
        80, 300_000, T0, null, "unit su-2 activating: 1 of 2 baking", WEB1, T0.plusSeconds(300), 96));
  }

  @Override
  public List<Budget> budgets() {
    return List.of(new Budget("type:web", "25%", 10), new Budget("unit:su-2", "1", 11));
  }

  @Override
  public List<Lease> leases() {
    return List.of(new Lease("repair", "repair-1", 3, T0, T0.plusSeconds(15), 99));
  }

  @Override
  public List<ManifestSummary> manifests() {
    return List.of(new ManifestSummary("web@1", "web", "ab", 2, 100, List.of("web"),
            new ManifestVersion.Origin("1111111111111111111111111111111111111111", "Ann", "web v1", "manifests/web.yaml"), T0),
        new ManifestSummary("web@2", "web", "cd", 2, 100, List.of("web"),
            new ManifestVersion.Origin("2222222222222222222222222222222222222222", "Bob", "web v2: faster", "manifests/web.yaml"), T0));
  }

  @Override
  public Map<String, HealthPolicy> policies() {
    return Map.of();
  }

  @Override
  public List<IngestStatus> ingests() {
    return List.of();
  }

  @Override
  public synchronized CommandResult send(String user, DmCommand command) {
    sent.add(new Sent(user, command));
    revision++;
    return new CommandResult(true, revision, null, null, List.of());
  }
}
