package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.LongFunction;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Rollout.Phase;
import org.autopilot.devicemanager.model.Rollout.Status;
import org.autopilot.devicemanager.model.Rollout.UnitRollout;
import org.autopilot.manifests.Durations;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestRef;

/**
 * The Device Manager's rollout rules: start, advance (activate within the disruption budgets,
 * judge after the bake, pass or fail a unit, roll back), steer (pause, resume, abort, kick).
 * Pure, like {@link FleetStateMachine}, which delegates here; time is the leader's {@code now}.
 */
final class RolloutRules {
  /**
   * How long after its bake a machine that is neither clearly good nor clearly bad (still
   * switching, apps still starting, not reporting) may take before it counts as failed.
   */
  static final Duration CONVERGE = Duration.ofMinutes(2);

  private RolloutRules() {}

  static Decision start(Fleet fleet, StartRollout c, FleetStateMachine.Events out) {
    if (c.manifest() == null) {
      return Decision.reject(INVALID, "manifest is missing");
    }
    ManifestVersion v = fleet.manifests().get(c.manifest());
    if (v == null) {
      return Decision.reject(NOT_FOUND, "manifest " + c.manifest() + " is not registered");
    }
    Manifest m = v.manifest();
    String type = m.machineType();
    if (type == null) {
      return Decision.reject(INVALID, "manifest " + c.manifest() + " names no machine type to roll out to");
    }
    if (!fleet.machineTypes().containsKey(type)) {
      return Decision.reject(NOT_FOUND, "machine type " + type + " is not defined");
    }
    Rollout old = fleet.rollouts().get(type);
    if (old != null && old.status().open()) {
      return Decision.reject(CONFLICT, "a rollout of " + old.to() + " to " + type + " is "
          + old.status().name().toLowerCase() + "; abort it first");
    }
    List<Machine> machines = ofType(fleet, type);
    ManifestRef from = old != null ? old.released() : mostActive(machines);
    if (c.manifest().equals(from)) {
      return Decision.reject(CONFLICT, c.manifest() + " is already what " + type + " runs");
    }
    Out o = new Out(out);
    for (Machine mc : machines) {
      MachineSoftware s = mc.software();
      if (!s.assigned().contains(c.manifest()) && s.assigned().size() < MachineSoftware.MAX_ASSIGNED) {
        o.add(rev -> new ManifestAssigned(rev, o.at, o.actor, o.cause, mc.id(), c.manifest()));
      }
    }
    List<UnitRollout> units = new TreeSet<>(machines.stream().map(Machine::scaleUnit)
        .filter(Objects::nonNull).toList()).stream().map(u -> new UnitRollout(u, Phase.PENDING, null))
        .toList();
    long bake = Durations.parse(m.rollout().bake(), "bake").toMillis();
    o.add(rev -> new RolloutUpdated(rev, o.at, o.actor, o.cause, new Rollout(type, from,
        c.manifest(), Status.RUNNING, units, m.rollout().threshold(), bake, o.at, null,
        "started: " + machines.size() + " machines in " + units.size() + " units pre-load "
            + c.manifest(), from, null, rev)));
    return Decision.accept(o.list);
  }

  static Decision advance(Fleet fleet, AdvanceRollout c, FleetStateMachine.Events out) {
    if (c.machineType() == null) { // the rollout map's get(null) throws
      return Decision.reject(INVALID, "machineType is missing");
    }
    Rollout r = fleet.rollouts().get(c.machineType());
    if (r == null) {
      return Decision.reject(NOT_FOUND, "no rollout of machine type " + c.machineType());
    }
    if (r.status() != Status.RUNNING) {
      return Decision.accept(List.of());
    }
    return new Advance(fleet, r, new Out(out)).run();
  }

  static Decision steer(Fleet fleet, SteerRollout c, FleetStateMachine.Events out) {
    if (c.machineType() == null) {
      return Decision.reject(INVALID, "machineType is missing");
    }
    Rollout r = fleet.rollouts().get(c.machineType());
    if (r == null || c.action() == null) {
      return Decision.reject(r == null ? NOT_FOUND : INVALID, r == null
          ? "no rollout of machine type " + c.machineType() : "action is missing");
    }
    Out o = new Out(out);
    String who = o.actor + (o.cause.isEmpty() ? "" : ": " + o.cause);
    switch (c.action()) {
      case PAUSE, RESUME -> {
        Status need = c.action() == SteerRollout.Action.PAUSE ? Status.RUNNING : Status.PAUSED;
        if (r.status() != need) {
          return Decision.reject(CONFLICT, "rollout of " + r.to() + " is " + r.status() + ", not " + need);
        }
        Status to = need == Status.RUNNING ? Status.PAUSED : Status.RUNNING;
        o.add(rev -> new RolloutUpdated(rev, o.at, o.actor, o.cause, with(r, to, r.units(),
            (to == Status.PAUSED ? "paused by " : "resumed by ") + who, r.released(), null, rev)));
      }
      case ABORT -> {
        if (!r.status().open()) {
          return Decision.reject(CONFLICT, "rollout of " + r.to() + " is already " + r.status());
        }
        new Advance(fleet, r, o).rollback(Status.ABORTED, r.units(), "aborted by " + who);
      }
      case KICK -> {
        if (!r.status().open()) {
          return Decision.reject(CONFLICT, "rollout of " + r.to() + " is " + r.status());
        }
        for (Machine m : ofType(fleet, r.machineType())) {
          if (m.software().assigned().contains(r.to()) && !m.software().held().contains(r.to())) {
            o.add(rev -> new MachineKicked(rev, o.at, o.actor, o.cause, m.id()));
          }
        }
      }
      default -> throw new AssertionError(c.action());
    }
    return Decision.accept(o.list);
  }

  static Decision setBudget(Fleet fleet, SetBudget c, FleetStateMachine.Events out) {
    String limit = c.limit() == null || c.limit().isBlank() ? null : c.limit().trim();
    try {
      if (limit != null) {
        new Budget(c.scope(), limit, 0);
      } else if (c.scope() == null || !Budget.SCOPE.matcher(c.scope()).matches()) {
        return Decision.reject(INVALID, "budget scope '" + c.scope() + "' must be fleet, type:NAME or unit:NAME");
      }
    } catch (IllegalArgumentException e) {
      return Decision.reject(INVALID, e.getMessage());
    }
    Budget old = fleet.budgets().get(c.scope());
    if (old == null ? limit == null : old.limit().equals(limit)) {
      return Decision.accept(List.of());
    }
    return out.one(e -> new BudgetSet(e.rev, e.at, e.actor, e.cause, c.scope(), limit));
  }

  static Decision recordIngest(Fleet fleet, RecordIngest c, FleetStateMachine.Events out) {
    if (c.source() == null || c.source().isBlank() || c.source().length() > 256
        || c.commit() == null || c.commit().isBlank() || c.commit().length() > 64) {
      return Decision.reject(INVALID, "source (1..256 characters) and commit (1..64) are required");
    }
    List<String> errors = c.errors() == null ? List.of() : c.errors();
    List<ManifestRef> refs = c.manifests() == null ? List.of() : c.manifests();
    if (errors.size() > 100 || errors.stream().anyMatch(e -> e == null || e.length() > 1000)) {
      return Decision.reject(INVALID, "at most 100 errors of at most 1000 characters each");
    }
    for (ManifestRef r : refs) {
      if (r == null || !fleet.manifests().containsKey(r)) {
        return Decision.reject(INVALID, "commit " + c.commit() + " names unregistered manifest " + r);
      }
    }
    if (!c.accepted() && errors.isEmpty()) {
      return Decision.reject(INVALID, "a rejected commit needs at least one error");
    }
    IngestStatus old = fleet.ingests().get(c.source());
    return out.one(e -> new IngestRecorded(e.rev, e.at, e.actor, e.cause, new IngestStatus(
        c.source(), c.commit(),
        c.accepted() ? c.commit() : old == null ? null : old.acceptedCommit(),
        c.accepted() ? refs : old == null ? List.of() : old.acceptedManifests(),
        c.accepted() ? null : c.commit(), c.accepted() ? List.of() : errors, e.at, e.rev)));
  }

  /** Applies a rollout, budget or ingest event; null if {@code event} is none of them. */
  static Fleet apply(Fleet f, DmEvent event) {
    if (event instanceof RolloutUpdated e) {
      return f.withRollouts(f.rollouts().plus(e.rollout().machineType(), e.rollout())).record(e, Map.of());
    } else if (event instanceof MachineKicked e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.withSoftware(m.software().kicked(), e.revision())));
    } else if (event instanceof BudgetSet e) {
      return f.withBudgets(e.limit() == null ? f.budgets().minus(e.scope())
          : f.budgets().plus(e.scope(), new Budget(e.scope(), e.limit(), e.revision()))).record(e, Map.of());
    } else if (event instanceof IngestRecorded e) {
      return f.withIngests(f.ingests().plus(e.status().source(), e.status())).record(e, Map.of());
    }
    return null;
  }

  /** The machines of a type that count for rollouts (all but decommissioned), by id. */
  static List<Machine> ofType(Fleet fleet, String type) {
    return fleet.machines().values().stream()
        .filter(m -> type.equals(m.machineType()) && m.state() != LifecycleState.DECOMMISSIONED)
        .toList();
  }

  private static ManifestRef mostActive(List<Machine> machines) {
    Map<ManifestRef, Integer> count = new HashMap<>();
    machines.forEach(m -> {
      if (m.software().active() != null) {
        count.merge(m.software().active(), 1, Integer::sum);
      }
    });
    return count.entrySet().stream().max(Map.Entry.<ManifestRef, Integer>comparingByValue()
        .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey).orElse(null);
  }

  static Rollout with(Rollout r, Status status, List<UnitRollout> units, String reason,
      ManifestRef released, Instant endedAt, long rev) {
    return with(r, status, units, reason, released, endedAt, null, rev);
  }

  static Rollout with(Rollout r, Status status, List<UnitRollout> units, String reason,
      ManifestRef released, Instant endedAt, Instant nextCheck, long rev) {
    return new Rollout(r.machineType(), r.from(), r.to(), status, units, r.threshold(),
        r.bakeMillis(), r.startedAt(), endedAt, reason, released, nextCheck, rev);
  }

  /** Events of one decision, numbered as they are added. */
  static final class Out {
    final List<DmEvent> list = new ArrayList<>();
    final Instant at;
    final String actor;
    final String cause;
    long rev;

    Out(FleetStateMachine.Events e) {
      this.at = e.at;
      this.actor = e.actor;
      this.cause = e.cause;
      this.rev = e.rev;
    }

    void add(LongFunction<DmEvent> make) {
      list.add(make.apply(rev++));
    }
  }

  /** One evaluation of a running rollout against the fleet, tracking what it changes. */
  private static final class Advance {
    private final Rollout r;
    private final Out o;
    private final Duration bake;
    private final Map<MachineId, Machine> view = new LinkedHashMap<>();
    private final Budgets budgets;
    private final List<String> notes = new ArrayList<>();
    private int activated;

    Advance(Fleet fleet, Rollout r, Out o) {
      this.r = r;
      this.o = o;
      this.bake = Duration.ofMillis(r.bakeMillis());
      ofType(fleet, r.machineType()).forEach(m -> view.put(m.id(), m));
      this.budgets = new Budgets(fleet);
    }

    Decision run() {
      List<MachineId> failed = judge();
      List<UnitRollout> units = new ArrayList<>(r.units());
      boolean changed = false;
      for (int i = 0; i < units.size(); i++) {
        UnitRollout u = units.get(i);
        List<Machine> members = members(u.unit());
        if (u.phase() == Phase.PASSED) {
          activate(members, u.unit());
          continue;
        }
        if (members.isEmpty()) {
          units.set(i, new UnitRollout(u.unit(), Phase.PASSED, o.at));
          notes.add("unit " + u.unit() + " passed: no machine in service");
          changed = true;
          continue;
        }
        int need = (int) Math.ceil(r.threshold() * members.size() / 100.0);
        if (u.phase() == Phase.PENDING) {
          long holding = members.stream().filter(this::holds).count();
          if (holding < need) {
            notes.add("unit " + u.unit() + " waits: " + holding + " of " + members.size()
                + " machines hold " + r.to() + ", " + need + " needed");
            break;
          }
          u = new UnitRollout(u.unit(), Phase.ACTIVATING, o.at);
          units.set(i, u);
          notes.add("unit " + u.unit() + " activates: " + holding + " of " + members.size()
              + " hold " + r.to());
          changed = true;
        }
        activate(members, u.unit());
        long bad = members.stream().filter(m -> failed.contains(m.id())).count();
        if (bad > members.size() - need) {
          units.set(i, new UnitRollout(u.unit(), Phase.FAILED, o.at));
          rollback(Status.ROLLED_BACK, units, "unit " + u.unit() + " failed: " + bad + " of "
              + members.size() + " machines not healthy on " + r.to() + " after the bake of "
              + Durations.format(bake) + " (" + need + " needed healthy)");
          return Decision.accept(o.list);
        }
        long healthy = members(u.unit()).stream().filter(m -> r.to().equals(m.software().active())
            && m.state() == LifecycleState.HEALTHY && good(m)).count();
        if (healthy < need) {
          break;
        }
        units.set(i, new UnitRollout(u.unit(), Phase.PASSED, o.at));
        notes.add("unit " + u.unit() + " passed: " + healthy + " of " + members.size()
            + " healthy on " + r.to() + " after the bake");
        changed = true;
      }
      boolean done = units.stream().allMatch(u -> u.phase() == Phase.PASSED);
      Instant next = done ? null : view.values().stream()
          .filter(m -> m.state() == LifecycleState.PROBATION && r.to().equals(m.software().active()))
          .map(m -> m.stateSince().plus(bake)).filter(t -> t.isAfter(o.at))
          .min(Instant::compareTo).orElse(null);
      if (done || changed || activated > 0) {
        String reason = notes.isEmpty() ? r.reason() : String.join("; ", notes)
            + (done ? "; every unit passed, " + r.to() + " is released" : "");
        Status status = done ? Status.SUCCEEDED : Status.RUNNING;
        List<UnitRollout> finalUnits = units;
        o.add(rev -> new RolloutUpdated(rev, o.at, o.actor, reason, with(r, status, finalUnits,
            reason, done ? r.to() : r.released(), done ? o.at : null, next, rev)));
      }
      return Decision.accept(o.list);
    }

    /** Machines in Probation on the new version whose bake is over: healthy ones back in service. */
    private List<MachineId> judge() {
      List<MachineId> failed = new ArrayList<>();
      for (Machine m : List.copyOf(view.values())) {
        if (r.to().equals(m.software().active()) && m.state() == LifecycleState.PROBATION
            && !m.stateSince().plus(bake).isAfter(o.at)) {
          if (good(m)) {
            move(m, LifecycleState.HEALTHY, "rollout of " + r.to() + ": healthy through the bake");
            budgets.free(m);
          } else if (bad(m) || !m.stateSince().plus(bake).plus(CONVERGE).isAfter(o.at)) {
            failed.add(m.id());
          }
        }
      }
      return failed;
    }

    /** Activates every machine of the unit that holds the new version, within the budgets. */
    private void activate(List<Machine> members, String unit) {
      for (Machine m : members) {
        if (!holds(m) || r.to().equals(m.software().active()) || m.state() != LifecycleState.HEALTHY) {
          continue;
        }
        String held = budgets.blocked(m);
        if (held != null) {
          notes.add("activation in unit " + unit + " held: " + held);
          return;
        }
        ManifestRef before = m.software().active();
        activated++;
        o.add(rev -> new ManifestActivated(rev, o.at, o.actor, "rollout of " + r.to(), m.id(),
            before, r.to()));
        Machine activated = m.withSoftware(m.software().activate(r.to()), o.rev - 1);
        view.put(m.id(), activated);
        move(activated, LifecycleState.PROBATION, "rollout of " + r.to() + ": activated, baking "
            + Durations.format(bake));
        budgets.take(m);
      }
    }

    /** Sends every machine running the new version back to the previous one. */
    void rollback(Status status, List<UnitRollout> units, String reason) {
      for (Machine m : List.copyOf(view.values())) {
        MachineSoftware s = m.software();
        if (r.to().equals(s.active()) && r.from() != null) {
          o.add(rev -> new ManifestActivated(rev, o.at, o.actor, "rollback: " + reason, m.id(),
              r.to(), r.from()));
          Machine back = m.withSoftware(s.activate(r.from()), o.rev - 1);
          view.put(back.id(), back);
          if (back.state() == LifecycleState.PROBATION) {
            move(back, LifecycleState.HEALTHY, "rollback to " + r.from());
          }
        }
        Machine now = view.get(m.id());
        if (now.software().assigned().contains(r.to()) && !r.to().equals(now.software().active())) {
          o.add(rev -> new ManifestUnassigned(rev, o.at, o.actor, "rollback: " + reason, now.id(),
              r.to()));
        }
      }
      List<UnitRollout> back = units.stream().map(u -> u.phase() == Phase.ACTIVATING
          || u.phase() == Phase.PASSED ? new UnitRollout(u.unit(), Phase.ROLLED_BACK, o.at) : u).toList();
      o.add(rev -> new RolloutUpdated(rev, o.at, o.actor, reason, with(r, status, back, reason,
          r.from(), o.at, rev)));
    }

    private void move(Machine m, LifecycleState to, String why) {
      LifecycleState from = m.state();
      o.add(rev -> new StateChanged(rev, o.at, o.actor, why, m.id(), from, to));
      view.put(m.id(), m.withState(to, o.at, o.rev - 1, why));
    }

    private List<Machine> members(String unit) {
      return view.values().stream().filter(m -> unit.equals(m.scaleUnit())
          && (m.state() == LifecycleState.HEALTHY || m.state() == LifecycleState.PROBATION)).toList();
    }

    private boolean holds(Machine m) {
      return m.software().held().contains(r.to()) || r.to().equals(m.software().active());
    }

    /** Runs the new version and an app is down (crashed, backing off) or the verdict is Error. */
    private boolean bad(Machine m) {
      MachineSoftware s = m.software();
      return m.health() == Health.ERROR || r.to().equals(s.running()) && s.apps().stream()
          .anyMatch(a -> a.state() == AppStatus.State.CRASH_LOOP || a.state() == AppStatus.State.BACKOFF
              || a.state() == AppStatus.State.STOPPED);
    }

    /** Runs the new version with every app up and no Error verdict. */
    private boolean good(Machine m) {
      MachineSoftware s = m.software();
      return r.to().equals(s.running()) && !s.apps().isEmpty()
          && s.apps().stream().allMatch(a -> a.state() == AppStatus.State.RUNNING)
          && m.health() != Health.ERROR;
    }
  }

  /** Out-of-service counts per budget scope, kept current as a decision moves machines. */
  static final class Budgets {
    private final Map<String, Budget> budgets;
    private final Map<String, int[]> outAndPopulation = new HashMap<>();

    Budgets(Fleet fleet) {
      this.budgets = fleet.budgets();
      for (Machine m : fleet.machines().values()) {
        if (m.state() == LifecycleState.DECOMMISSIONED) {
          continue;
        }
        for (String scope : scopes(m)) {
          if (budgets.containsKey(scope)) {
            int[] c = outAndPopulation.computeIfAbsent(scope, k -> new int[2]);
            c[1]++;
            c[0] += outOfService(m) ? 1 : 0;
          }
        }
      }
    }

    /** Whether taking {@code m} out of service would exceed a budget: which, or null. */
    String blocked(Machine m) {
      for (String scope : scopes(m)) {
        Budget b = budgets.get(scope);
        if (b != null) {
          int[] c = outAndPopulation.get(scope);
          int cap = b.cap(c[1]);
          if (c[0] + 1 > cap) {
            return "budget " + scope + " " + c[0] + "/" + cap + " out of service";
          }
        }
      }
      return null;
    }

    void take(Machine m) {
      adjust(m, 1);
    }

    void free(Machine m) {
      adjust(m, -1);
    }

    private void adjust(Machine m, int d) {
      for (String scope : scopes(m)) {
        int[] c = outAndPopulation.get(scope);
        if (c != null) {
          c[0] += d;
        }
      }
    }

    static List<String> scopes(Machine m) {
      List<String> s = new ArrayList<>(3);
      s.add("fleet");
      if (m.machineType() != null) {
        s.add("type:" + m.machineType());
      }
      if (m.scaleUnit() != null) {
        s.add("unit:" + m.scaleUnit());
      }
      return s;
    }

    static boolean outOfService(Machine m) {
      return m.state() == LifecycleState.PROBATION || m.state() == LifecycleState.FAILURE
          || m.state() == LifecycleState.REPLACE;
    }
  }
}
