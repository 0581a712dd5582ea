package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded simulation of 60 machines over hours of leader time: faults of every depth appear
 * at random, agents report, a repair service (which fails over and sometimes dies mid-action)
 * follows the protocol, humans replace hardware and resolve incidents. Checked at every step:
 * the unit budgets hold and no repair starts twice; at the end, with faults stopped, every
 * machine is back in service. The seed is printed and is the only input.
 */
class HealthSimulationTest {
  static final int UNITS = 6;
  static final int PER_UNIT = 10;
  static final Duration STEP = Duration.ofSeconds(10);

  /** How deep a simulated fault goes: what it takes to clear it. */
  enum Fault { NONE, TRANSIENT, REBOOT, REIMAGE, DEAD }

  final FleetScript s = new FleetScript();
  final Map<String, Fault> fault = new HashMap<>();
  final Map<String, Integer> consecutive = new HashMap<>();
  final Map<String, Integer> transientLeft = new HashMap<>();
  final Set<Long> started = new HashSet<>();
  /** Actions under way in the simulated repair service: machine → steps left. */
  final Map<String, Integer> acting = new HashMap<>();
  final Map<String, Integer> replacedIn = new HashMap<>();
  String holder = "rs-a";
  int leaseEpochs = 1;
  int actions;
  int incidents;

  @ParameterizedTest
  @ValueSource(longs = {1L, 20261122L, 777L})
  void theLoopKeepsItsBudgetsNeverRepeatsAnActionAndConvergesWhenFaultsStop(long seed) {
    System.out.println("HealthSimulationTest seed " + seed);
    Random rnd = new Random(seed);
    s.given(type("web"));
    for (int u = 0; u < UNITS; u++) {
      s.given(unit("su-" + u), new SetBudget("unit:su-" + u, "2", "two at a time"));
      for (int i = 0; i < PER_UNIT; i++) {
        String id = "m" + u + "-" + i;
        s.given(new RegisterMachine(MachineId.of(id), "127.0.0.1:22", "SHA256:" + id, "web",
            "su-" + u, "rack-" + u + "-" + (i / 5), null, ""), move(id, PROVISIONING),
            move(id, BURN_IN), move(id, HEALTHY));
        fault.put(id, Fault.NONE);
      }
    }
    s.given(new SetHealthPolicy("default", new HealthPolicy(3, "30s", "30s", "2m", "5m", "24h",
        null, null, null, new HealthPolicy.Breaker(40, 4, "10m")), "simulation"),
        new AcquireLease("repair", holder, 30_000, ""));

    int steps = (int) (Duration.ofHours(6).toMillis() / STEP.toMillis());
    for (int step = 0; step < steps; step++) {
      boolean faultsOn = step < steps * 2 / 3;
      step(rnd, faultsOn);
    }
    for (Machine m : s.fleet.machines().values()) {
      assertThat(m.state()).as("seed %d: %s ends in service (repair %s, fault %s)", seed, m.id(),
          m.repair(), fault.get(m.id().value())).isEqualTo(HEALTHY);
    }
    assertThat(s.when(new EvaluateHealth("quiet?")).events())
        .as("seed %d: a settled fleet gives the leader's ticker nothing to propose", seed).isEmpty();
    assertThat(actions).as("seed %d: the simulation exercised repairs", seed).isGreaterThan(10);
    assertThat(incidents).as("seed %d: a rack failing together opened an incident", seed).isPositive();
    System.out.printf("seed %d: %d actions started, %d lease epochs, %d incidents, %d decisions%n",
        seed, actions, leaseEpochs, incidents, s.fleet.decisions().size());
  }

  private void step(Random rnd, boolean faultsOn) {
    s.after(STEP);
    // faults appear
    for (String id : fault.keySet()) {
      if (faultsOn && fault.get(id) == Fault.NONE && rnd.nextDouble() < 0.0015) {
        Fault f = Fault.values()[1 + rnd.nextInt(4)];
        fault.put(id, f);
        transientLeft.put(id, 1 + rnd.nextInt(3));
      }
    }
    // now and then a rack loses its switch: every machine in it fails together
    if (faultsOn && rnd.nextDouble() < 0.002) {
      String rack = "rack-" + rnd.nextInt(UNITS) + "-" + rnd.nextInt(2);
      s.fleet.machines().values().stream().filter(m -> rack.equals(m.rack()))
          .forEach(m -> fault.put(m.id().value(), Fault.REBOOT));
    }
    // agents report what they see (nothing while an action runs on them or when dead)
    List<MachineReport> reports = new ArrayList<>();
    for (Machine m : s.fleet.machines().values()) {
      String id = m.id().value();
      if (acting.containsKey(id) || m.state() == REPLACE || m.state() == NEW) {
        continue;
      }
      Fault f = fault.get(id);
      if (f == Fault.TRANSIENT && transientLeft.merge(id, -1, Integer::sum) <= 0) {
        fault.put(id, f = Fault.NONE);
      }
      Health h = f == Fault.NONE ? Health.OK : Health.ERROR;
      WatchdogState w = m.watchdogs().get("sim");
      int n = w != null && w.status() == h ? Math.min(16, consecutive.getOrDefault(id, 0) + 1) : 1;
      consecutive.put(id, n);
      reports.add(new MachineReport(m.id(), List.of(new Verdict("sim", h, f.name(), n))));
    }
    if (!reports.isEmpty()) {
      s.given(new ReportWatchdogs(reports, "agents"));
    }
    // the repair service: sometimes it dies and another replica takes over after the lease
    if (rnd.nextDouble() < 0.01) {
      acting.keySet().removeIf(id -> rnd.nextBoolean()); // died mid-action: never reports
      s.after(Duration.ofSeconds(31));
      holder = holder.equals("rs-a") ? "rs-b" : "rs-a";
      leaseEpochs++;
    }
    s.given(new AcquireLease("repair", holder, 30_000, ""));
    for (FleetQueries.RepairItem item : FleetQueries.repairs(s.fleet).items()) {
      Repair r = item.repair();
      String id = item.machine().value();
      boolean mayClaim = r.status() == Repair.Status.WAITING && r.held() == null
          || r.status() == Repair.Status.CLAIMED && !r.holder().equals(holder);
      if (!mayClaim || acting.containsKey(id)) {
        continue;
      }
      if (!s.when(new ClaimRepair(item.machine(), r.id(), holder, "")).accepted()) {
        continue;
      }
      if (rnd.nextDouble() < 0.05) {
        continue; // claimed, then the replica stalls before starting: a later epoch re-claims
      }
      CommandResult start = s.when(new StartRepair(item.machine(), r.id(), holder, ""));
      if (start.accepted()) {
        assertThat(started.add(r.id())).as("repair %d of %s started twice", r.id(), id).isTrue();
        actions++;
        acting.put(id, 1 + rnd.nextInt(3));
      }
    }
    for (String id : List.copyOf(acting.keySet())) {
      if (acting.merge(id, -1, Integer::sum) > 0) {
        continue;
      }
      acting.remove(id);
      Machine m = s.machine(id);
      Repair r = m.repair();
      if (r == null || r.status() != Repair.Status.STARTED) {
        continue;
      }
      Fault f = fault.get(id);
      switch (r.action()) {
        case REBOOT -> {
          if (f == Fault.TRANSIENT || f == Fault.REBOOT) {
            fault.put(id, Fault.NONE);
          }
        }
        case REIMAGE -> {
          if (f != Fault.DEAD) {
            fault.put(id, Fault.NONE);
          }
        }
        case REPLACE -> replacedIn.put(id, 30);
        default -> { }
      }
      s.when(new FinishRepair(m.id(), r.id(), r.holder(), true, "", ""));
    }
    // humans: replace hardware some time after Replace, resolve incidents after 20 minutes
    for (Machine m : s.fleet.machines().values()) {
      String id = m.id().value();
      if (m.state() == REPLACE && replacedIn.merge(id, -1, Integer::sum) <= 0) {
        s.given(new MarkReplaced(m.id(), "RMA"), move(id, PROVISIONING), move(id, BURN_IN), move(id, HEALTHY));
        fault.put(id, Fault.NONE);
        replacedIn.remove(id);
      } else if (m.state() == REPLACE && !replacedIn.containsKey(id)) {
        replacedIn.put(id, 30);
      }
    }
    for (Incident i : s.fleet.incidents().values()) {
      if (i.open() && !s.now.isBefore(i.openedAt().plus(Duration.ofMinutes(20)))) {
        s.given(new ResolveIncident(i.id(), "fixed the switch"));
        incidents++;
      }
    }
    CommandResult tick = s.when(new EvaluateHealth("tick"));
    assertThat(s.when(new EvaluateHealth("again at the same time")).events())
        .as("evaluating twice at one time changes nothing the second time (after %s)", tick.events())
        .isEmpty();
    checkBudgets();
  }

  private void checkBudgets() {
    Map<String, Integer> disrupted = new HashMap<>();
    for (Machine m : s.fleet.machines().values()) {
      boolean doNothing = m.repair() != null && m.repair().active()
          && m.repair().action() == RepairAction.DO_NOTHING;
      if (m.state() == PROBATION && !doNothing) {
        disrupted.merge(m.scaleUnit(), 1, Integer::sum);
      }
    }
    disrupted.forEach((unit, n) -> assertThat(n).as("machines of %s under repair at %s", unit, s.now)
        .isLessThanOrEqualTo(2));
  }
}
