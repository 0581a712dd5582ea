package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.RolloutRules.Out;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.model.Repair.Status;
import org.autopilot.manifests.Durations;

/**
 * The Device Manager's health policy: watchdog verdicts become confirmed failures, failures
 * become repair actions chosen from the machine's history, actions are handed out within
 * budgets, maintenance windows and the correlated-failure breaker, and probation decides whether
 * a repair worked. Every decision, and every decision not to act, goes to the decision log.
 * Pure, like {@link FleetStateMachine}; time is the leader's {@code now}.
 */
final class HealthRules {
  /** The lease the repair service's leader holds; claims are fenced by its epoch. */
  static final String REPAIR_LEASE = "repair";
  /** The watchdog name under which {@link ReportHealth} verdicts are recorded. */
  static final String REPORTED = "reported";
  private static final Pattern WATCHDOG = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Duration MAX_SILENCE = Duration.ofDays(30);

  private HealthRules() {}

  static Decision report(Fleet fleet, ReportWatchdogs c, FleetStateMachine.Events out) {
    List<MachineReport> reports = c.reports();
    if (reports == null || reports.isEmpty() || reports.size() > ReportWatchdogs.MAX_MACHINES) {
      return Decision.reject(INVALID, "reports must list 1.." + ReportWatchdogs.MAX_MACHINES
          + " machines");
    }
    for (int i = 0; i < reports.size(); i++) {
      String bad = check(fleet, reports.get(i), i);
      if (bad != null) {
        return Decision.reject(bad.contains("does not exist") ? NOT_FOUND : INVALID, bad);
      }
    }
    Eval ev = new Eval(fleet, out);
    Set<MachineId> touched = new LinkedHashSet<>();
    for (MachineReport r : reports) {
      if (ev.record(r.machine(), r.watchdogs())) {
        touched.add(r.machine());
      }
    }
    touched.forEach(ev::evaluate);
    return ev.finish();
  }

  /** An operator's or tool's verdict, recorded as the watchdog {@value #REPORTED}. */
  static Decision reportHealth(Fleet fleet, ReportHealth c, FleetStateMachine.Events out) {
    if (c.machine() == null) {
      return Decision.reject(INVALID, "machine is missing");
    }
    if (fleet.machine(c.machine()) == null) {
      return Decision.reject(NOT_FOUND, "machine " + c.machine() + " does not exist");
    }
    if (c.health() == null) {
      return Decision.reject(INVALID, "health of " + c.machine() + " is missing");
    }
    String text = c.cause() == null ? "" : c.cause();
    return report(fleet, new ReportWatchdogs(List.of(new MachineReport(c.machine(), List.of(
        new Verdict(REPORTED, c.health(), text.length() > WatchdogState.MAX_TEXT
            ? text.substring(0, WatchdogState.MAX_TEXT) : text, 1)))), c.cause()), out);
  }

  static Decision evaluate(Fleet fleet, FleetStateMachine.Events out) {
    Eval ev = new Eval(fleet, out);
    for (Machine m : fleet.machines().values()) {
      if (needsLook(m, fleet.clock())) {
        ev.evaluate(m.id());
      }
    }
    ev.holdsDirty = true;
    return ev.finish();
  }

  static Decision setPolicy(Fleet fleet, SetHealthPolicy c, FleetStateMachine.Events out) {
    if (c.scope() == null || !c.scope().equals("default") && !fleet.machineTypes().containsKey(c.scope())) {
      return Decision.reject(c.scope() == null ? INVALID : NOT_FOUND, "policy scope '" + c.scope()
          + "' must be default or a defined machine type");
    }
    if (c.policy() == null && c.scope().equals("default") && !fleet.policies().containsKey("default")) {
      return Decision.accept(List.of());
    }
    if (java.util.Objects.equals(fleet.policies().get(c.scope()), c.policy())) {
      return Decision.accept(List.of());
    }
    Eval ev = new Eval(fleet, out);
    ev.o.add(rev -> new HealthPolicySet(rev, ev.o.at, ev.o.actor, ev.o.cause, c.scope(), c.policy()));
    ev.policyOverride = Map.entry(c.scope(), c.policy() == null ? HealthPolicy.DEFAULT : c.policy());
    ev.holdsDirty = true;
    return ev.finish();
  }

  static Decision claim(Fleet fleet, ClaimRepair c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    Decision bad = checkRepair(c.machine(), m, c.repair(), c.holder());
    if (bad != null) {
      return bad;
    }
    Lease lease = fleet.leases().get(REPAIR_LEASE);
    if (lease == null || !lease.holder().equals(c.holder()) || !lease.heldAt(fleet.clock())) {
      return Decision.reject(LEASE_HELD, c.holder() + " does not hold the " + REPAIR_LEASE
          + " lease" + (lease == null ? "" : " (held by " + lease.holder() + ", epoch " + lease.epoch() + ")"));
    }
    Repair r = m.repair();
    // A claim that can no longer be started (made under another holder or epoch: its claimer
    // lost or gave up the lease before acting) may be claimed again by the current holder.
    boolean reclaim = r.status() == Status.CLAIMED
        && (r.epoch() != lease.epoch() || !lease.holder().equals(r.holder()));
    if (r.status() != Status.WAITING && !reclaim) {
      return Decision.reject(STALE, "repair " + r.id() + " of " + m.id() + " is " + r.status().label()
          + (r.holder() == null ? "" : " (by " + r.holder() + ", epoch " + r.epoch() + ")")
          + "; it cannot be claimed again");
    }
    Eval ev = new Eval(fleet, out);
    if (!reclaim) {
      String held = ev.holds().get(m.id());
      if (held != null) {
        return Decision.reject(CONFLICT, r.action().label() + " of " + m.id() + " is held: " + held);
      }
      LifecycleState to = r.action() == RepairAction.REPLACE ? LifecycleState.REPLACE : LifecycleState.PROBATION;
      ev.move(m, to, r.action().label() + " handed to " + c.holder());
    }
    ev.setRepair(m.id(), r.claimed(c.holder(), lease.epoch(), ev.o.at));
    ev.log(m, null, "claimed", r.action().label() + (reclaim ? " claimed again" : " handed out")
        + " to " + c.holder() + " (lease epoch " + lease.epoch() + ")");
    ev.holdsDirty = true;
    return ev.finish();
  }

  static Decision start(Fleet fleet, StartRepair c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    Decision bad = checkRepair(c.machine(), m, c.repair(), c.holder());
    if (bad != null) {
      return bad;
    }
    Repair r = m.repair();
    Lease lease = fleet.leases().get(REPAIR_LEASE);
    if (r.status() != Status.CLAIMED || !c.holder().equals(r.holder()) || lease == null
        || lease.epoch() != r.epoch() || !lease.holder().equals(c.holder())
        || !lease.heldAt(fleet.clock())) {
      return Decision.reject(STALE, "repair " + r.id() + " of " + m.id() + " is " + r.status().label()
          + " by " + r.holder() + " under lease epoch " + r.epoch() + "; " + c.holder()
          + (lease == null ? "" : " (lease: " + lease.holder() + ", epoch " + lease.epoch() + ")")
          + " may not start it");
    }
    Eval ev = new Eval(fleet, out);
    ev.setRepair(m.id(), r.started(ev.o.at));
    ev.log(m, null, "started", r.action().label() + " started by " + c.holder());
    return ev.finish();
  }

  static Decision finish(Fleet fleet, FinishRepair c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    Decision bad = checkRepair(c.machine(), m, c.repair(), c.holder());
    if (bad != null) {
      return bad;
    }
    Repair r = m.repair();
    if (r.status() != Status.STARTED || !r.holder().equals(c.holder())) {
      return Decision.reject(STALE, "repair " + r.id() + " of " + m.id() + " is " + r.status().label()
          + (r.holder() == null ? "" : " by " + r.holder()) + "; a finish from " + c.holder()
          + " is stale");
    }
    String detail = c.detail() == null ? "" : c.detail();
    if (detail.length() > 1000) {
      return Decision.reject(INVALID, "detail is longer than 1000 characters");
    }
    Eval ev = new Eval(fleet, out);
    HealthPolicy p = ev.policy(m);
    String how = r.action().label() + (c.succeeded() ? " done" : " failed")
        + (detail.isEmpty() ? "" : ": " + detail);
    ev.setRepair(m.id(), r.ended(c.succeeded(), how, ev.o.at));
    if (c.succeeded()) {
      ev.log(m, null, "done", how + (r.action() == RepairAction.REPLACE
          ? "; waiting for a human to replace it"
          : "; probation " + p.probation()));
    } else {
      ev.log(m, null, "failed", how);
      if (m.state() == LifecycleState.PROBATION) {
        ev.fail(ev.view(m.id()), how, false);
      }
    }
    ev.holdsDirty = true;
    return ev.finish();
  }

  static Decision silence(Fleet fleet, SilenceMachine c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    if (m == null) {
      return Decision.reject(c.machine() == null ? INVALID : NOT_FOUND, c.machine() == null
          ? "machine is missing" : "machine " + c.machine() + " does not exist");
    }
    if (c.durationMillis() < 0 || c.durationMillis() > MAX_SILENCE.toMillis()) {
      return Decision.reject(INVALID, "silence duration must be 0.." + Durations.format(MAX_SILENCE));
    }
    Eval ev = new Eval(fleet, out);
    Instant until = c.durationMillis() == 0 ? null : ev.o.at.plusMillis(c.durationMillis());
    ev.o.add(rev -> new MachineSilenced(rev, ev.o.at, ev.o.actor, ev.o.cause, m.id(), until));
    ev.view.put(m.id(), m.withSilence(until, ev.o.rev - 1));
    ev.log(m, null, "silenced", until == null ? "silence lifted by " + ev.o.actor
        : "silenced until " + until + " by " + ev.o.actor + (ev.o.cause.isEmpty() ? "" : ": " + ev.o.cause));
    ev.holdsDirty = true;
    if (until == null) {
      ev.evaluate(m.id());
    }
    return ev.finish();
  }

  static Decision markReplaced(Fleet fleet, MarkReplaced c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    if (m == null) {
      return Decision.reject(c.machine() == null ? INVALID : NOT_FOUND, c.machine() == null
          ? "machine is missing" : "machine " + c.machine() + " does not exist");
    }
    if (m.state() != LifecycleState.REPLACE) {
      return Decision.reject(ILLEGAL_TRANSITION, "machine " + m.id() + " is " + m.state().label()
          + ", not Replace; only a machine waiting for replacement can be marked replaced");
    }
    Eval ev = new Eval(fleet, out);
    ev.o.add(rev -> new MachineReplaced(rev, ev.o.at, ev.o.actor, ev.o.cause, m.id()));
    ev.view.put(m.id(), m.replaced(ev.o.at, ev.o.rev - 1));
    ev.log(m, null, "replaced", "hardware replaced by " + ev.o.actor
        + (ev.o.cause.isEmpty() ? "" : ": " + ev.o.cause) + "; back as New");
    return ev.finish();
  }

  static Decision resolve(Fleet fleet, ResolveIncident c, FleetStateMachine.Events out) {
    Incident i = fleet.incidents().get(c.incident());
    if (i == null) {
      return Decision.reject(NOT_FOUND, "incident " + c.incident() + " does not exist");
    }
    if (!i.open()) {
      return Decision.reject(CONFLICT, "incident " + c.incident() + " was resolved at "
          + i.resolvedAt() + " by " + i.resolvedBy());
    }
    Eval ev = new Eval(fleet, out);
    ev.o.add(rev -> new IncidentUpdated(rev, ev.o.at, ev.o.actor, ev.o.cause, new Incident(i.id(),
        i.scope(), i.reason(), i.machines(), i.openedAt(), ev.o.at, ev.o.actor, rev)));
    ev.incidents.put(i.id(), null);
    ev.log(null, i.scope(), "incident", "incident " + i.id() + " for " + i.scope() + " resolved by "
        + ev.o.actor + (ev.o.cause.isEmpty() ? "" : ": " + ev.o.cause) + "; its repairs resume");
    ev.holdsDirty = true;
    return ev.finish();
  }

  /**
   * A decision of another rule that opens or resolves incidents ({@code changes}: id to the
   * incident opened, or null when resolved) and emits {@code emit}'s events first; the holds of
   * waiting repairs are recomputed with those incidents, so they take effect in the same revision.
   */
  static Decision withIncidents(Fleet fleet, FleetStateMachine.Events out,
      java.util.function.Consumer<Out> emit, Map<Long, Incident> changes) {
    Eval ev = new Eval(fleet, out);
    emit.accept(ev.o);
    ev.incidents.putAll(changes);
    ev.holdsDirty = true;
    return ev.finish();
  }

  /** When a human or another rule moved a machine, a repair still under way is over. */
  static void supersede(Fleet fleet, Machine m, LifecycleState to, Out o) {
    Repair r = m.repair();
    if (r != null && r.active() && to != LifecycleState.PROBATION && to != LifecycleState.FAILURE) {
      o.add(rev -> new RepairUpdated(rev, o.at, o.actor, "superseded", m.id(), r.ended(false,
          "superseded: " + o.actor + " moved the machine to " + to.label(), o.at)));
    }
  }

  /** Applies a health or repair event; null if {@code event} is none of them. */
  static Fleet apply(Fleet f, DmEvent event) {
    if (event instanceof WatchdogsReported e) {
      Machine m = f.machine(e.machine());
      TreeMap<String, WatchdogState> w = new TreeMap<>(m.watchdogs());
      e.changed().forEach(s -> w.put(s.name(), s));
      return f.record(e, Map.of(m.id(), m.withWatchdogs(w, e.health(), e.at(), e.revision())));
    } else if (event instanceof RepairUpdated e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.withRepair(e.repair(), e.revision())));
    } else if (event instanceof RepairDecided e) {
      return f.withDecision(new RepairDecision(e.revision(), e.at(), e.machine(), e.scope(), e.kind(),
          e.text())).record(e, Map.of());
    } else if (event instanceof IncidentUpdated e) {
      return f.withIncidents(f.incidents().plus(e.incident().id(), e.incident())).record(e, Map.of());
    } else if (event instanceof HealthPolicySet e) {
      return f.withPolicies(e.policy() == null ? f.policies().minus(e.scope())
          : f.policies().plus(e.scope(), e.policy())).record(e, Map.of());
    } else if (event instanceof MachineSilenced e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.withSilence(e.until(), e.revision())));
    } else if (event instanceof MachineReplaced e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.replaced(e.at(), e.revision())));
    }
    return null;
  }

  /** Whether time alone could change something about {@code m}. */
  private static boolean needsLook(Machine m, Instant now) {
    return switch (m.state()) {
      case HEALTHY -> m.health() == Health.ERROR;
      case PROBATION, FAILURE -> true;
      case REPLACE -> m.repair() != null && m.repair().status().inFlight();
      default -> false;
    };
  }

  private static String check(Fleet fleet, MachineReport r, int i) {
    if (r == null || r.machine() == null) {
      return "report " + i + ": machine is missing";
    }
    Machine m = fleet.machine(r.machine());
    if (m == null) {
      return "report " + i + ": machine " + r.machine() + " does not exist";
    }
    List<Verdict> vs = r.watchdogs();
    if (vs == null || vs.isEmpty() || vs.size() > ReportWatchdogs.MAX_WATCHDOGS) {
      return "report " + i + " (" + r.machine() + "): watchdogs must list 1.."
          + ReportWatchdogs.MAX_WATCHDOGS + " verdicts";
    }
    Set<String> names = new java.util.HashSet<>(m.watchdogs().keySet());
    for (int j = 0; j < vs.size(); j++) {
      Verdict v = vs.get(j);
      String where = "report " + i + " (" + r.machine() + "), watchdog " + j;
      if (v == null || v.watchdog() == null || !WATCHDOG.matcher(v.watchdog()).matches()) {
        return where + ": name must match " + WATCHDOG.pattern();
      }
      if (v.status() == null) {
        return where + " (" + v.watchdog() + "): status is missing";
      }
      if (v.text() != null && v.text().length() > WatchdogState.MAX_TEXT) {
        return where + " (" + v.watchdog() + "): text is longer than " + WatchdogState.MAX_TEXT
            + " characters";
      }
      if (v.consecutive() < 1) {
        return where + " (" + v.watchdog() + "): consecutive must be at least 1";
      }
      names.add(v.watchdog());
    }
    if (names.size() > ReportWatchdogs.MAX_WATCHDOGS) {
      return "report " + i + " (" + r.machine() + "): more than " + ReportWatchdogs.MAX_WATCHDOGS
          + " watchdogs on one machine";
    }
    return null;
  }

  private static Decision checkRepair(MachineId id, Machine m, long repair, String holder) {
    if (id == null) {
      return Decision.reject(INVALID, "machine is missing");
    }
    if (holder == null || holder.isBlank()) {
      return Decision.reject(INVALID, "holder is missing");
    }
    if (m == null) {
      return Decision.reject(NOT_FOUND, "machine " + id + " does not exist");
    }
    if (m.repair() == null || m.repair().id() != repair) {
      return Decision.reject(STALE, "machine " + id + " has no repair " + repair
          + (m.repair() == null ? "" : " (its repair is " + m.repair().id() + ", "
              + m.repair().status().label() + ")"));
    }
    return null;
  }

  /** One health decision: a view of the machines it changed and the events it emits. */
  private static final class Eval {
    final Fleet fleet;
    final Out o;
    final Map<MachineId, Machine> view = new HashMap<>();
    /** Incidents opened (value) or resolved (null) by this decision. */
    final Map<Long, Incident> incidents = new HashMap<>();
    final Set<MachineId> failedNow = new LinkedHashSet<>();
    Map.Entry<String, HealthPolicy> policyOverride;
    boolean holdsDirty;

    Eval(Fleet fleet, FleetStateMachine.Events out) {
      this.fleet = fleet;
      this.o = new Out(out);
    }

    Machine view(MachineId id) {
      Machine m = view.get(id);
      return m != null ? m : fleet.machine(id);
    }

    HealthPolicy policy(Machine m) {
      if (policyOverride != null) {
        String scope = policyOverride.getKey();
        if (scope.equals(m.machineType()) || scope.equals("default")
            && (m.machineType() == null || !fleet.policies().containsKey(m.machineType()))) {
          return policyOverride.getValue();
        }
      }
      return fleet.policyFor(m.machineType());
    }

    Instant now() {
      return o.at;
    }

    /** Records changed verdicts; whether anything changed. */
    boolean record(MachineId id, List<Verdict> verdicts) {
      Machine m = view(id);
      if (m.state() == LifecycleState.DECOMMISSIONED) {
        return false;
      }
      TreeMap<String, WatchdogState> all = new TreeMap<>(m.watchdogs());
      List<WatchdogState> changed = new ArrayList<>();
      for (Verdict v : verdicts) {
        String text = v.text() == null ? "" : v.text();
        WatchdogState old = all.get(v.watchdog());
        if (old != null && old.status() == v.status() && old.text().equals(text)
            && old.consecutive() == v.consecutive()) {
          continue;
        }
        Instant since = old != null && old.status() == v.status() ? old.since() : now();
        WatchdogState s = new WatchdogState(v.watchdog(), v.status(), text, since, v.consecutive());
        all.put(s.name(), s);
        changed.removeIf(c -> c.name().equals(s.name()));
        changed.add(s);
      }
      if (changed.isEmpty()) {
        return false;
      }
      Health overall = Machine.overall(all.values());
      o.add(rev -> new WatchdogsReported(rev, o.at, o.actor, o.cause, id, List.copyOf(changed), overall));
      view.put(id, m.withWatchdogs(all, overall, o.at, o.rev - 1));
      return true;
    }

    /** Applies the policy to one machine at {@code now}. */
    void evaluate(MachineId id) {
      Machine m = view(id);
      HealthPolicy p = policy(m);
      switch (m.state()) {
        case HEALTHY -> {
          Confirmed c = confirmed(m, p, null);
          if (c != null && !silenced(m)) {
            fail(m, c.text, c.fatal);
          }
        }
        case PROBATION -> probation(m, p);
        case FAILURE -> {
          if (m.repair() == null || !m.repair().active()) {
            // moved to Failure by someone else (an operator, burn-in): a fatal Error still counts
            Confirmed c = confirmed(m, p, null);
            boolean fatal = c != null && c.fatal;
            choose(m, "in Failure: " + lastCause(m) + (fatal ? "; " + c.text : ""), fatal);
          } else if (m.repair().status().inFlight()) {
            timeout(m, p);
          } else if (m.repair().status() == Status.WAITING && recovered(m, p)) {
            String why = "recovered while its " + m.repair().action().label() + " waited: no Error for "
                + p.probation() + " (" + (m.repair().held() == null ? "not handed out" : m.repair().held()) + ")";
            move(m, LifecycleState.HEALTHY, why);
            setRepair(m.id(), m.repair().cancelled(why, now()));
            log(view(m.id()), null, "healthy", "Healthy: " + why);
            holdsDirty = true;
          }
        }
        case REPLACE -> {
          if (m.repair() != null && m.repair().status().inFlight()) {
            timeout(m, p);
          }
        }
        default -> { }
      }
    }

    private void probation(Machine m, HealthPolicy p) {
      Repair r = m.repair();
      if (r != null && r.status().inFlight()) {
        timeout(m, p);
        return;
      }
      Instant armed;
      String after;
      if (r != null && r.status() == Status.DONE) {
        armed = r.finishedAt();
        after = "after " + r.action().label();
      } else if (inRollout(m)) {
        return;
      } else {
        armed = m.stateSince();
        after = "in probation";
      }
      if (silenced(m)) {
        return;
      }
      Confirmed c = confirmed(m, p, armed);
      if (c != null) {
        fail(m, after + ": " + c.text, c.fatal);
        return;
      }
      if (now().isBefore(armed.plus(p.probationDuration()))) {
        return;
      }
      WatchdogState err = m.watchdogs().values().stream()
          .filter(w -> w.status() == Health.ERROR).findFirst().orElse(null);
      if (err != null) {
        fail(m, "probation " + after + " ended in error: " + err.name() + ": " + err.text(), false);
        return;
      }
      move(m, LifecycleState.HEALTHY, "no confirmed Error for " + p.probation() + " " + after);
      Machine now = view(m.id());
      if (r != null && r.status() == Status.DONE) {
        setRepair(m.id(), r.healed(now()));
      }
      log(now, null, "healthy", "Healthy: no confirmed Error for " + p.probation() + " " + after);
      holdsDirty = true;
    }

    private void timeout(Machine m, HealthPolicy p) {
      Repair r = m.repair();
      Instant deadline = r.claimedAt().plus(p.actionTimeoutDuration());
      if (now().isBefore(deadline)) {
        return;
      }
      String how = r.action().label() + " by " + r.holder() + " not reported done within "
          + p.actionTimeout() + " (" + r.status().label().toLowerCase() + " at "
          + (r.startedAt() != null ? r.startedAt() : r.claimedAt()) + ")";
      setRepair(m.id(), r.ended(false, how, now()));
      log(m, null, "failed", how);
      if (m.state() == LifecycleState.PROBATION) {
        fail(view(m.id()), how, false);
      }
      holdsDirty = true;
    }

    /** Moves a machine to Failure with {@code why}, and chooses its repair. */
    void fail(Machine m, String why, boolean fatal) {
      Repair old = m.repair();
      if (old != null && old.active()) {
        setRepair(m.id(), old.ended(false, old.status() == Status.DONE
            ? old.action().label() + " did not help: " + why : "superseded: " + why, now()));
      }
      move(view(m.id()), LifecycleState.FAILURE, why);
      log(view(m.id()), null, "confirmed", "Failure: " + why);
      failedNow.add(m.id());
      choose(view(m.id()), why, fatal);
    }

    private void choose(Machine m, String why, boolean fatal) {
      HealthPolicy p = policy(m);
      Instant from = now().minus(p.failureWindowDuration());
      int n = (int) m.failures().stream().filter(f -> !f.at().isBefore(from)).count();
      n = Math.max(1, n);
      RepairAction action = fatal ? RepairAction.REPLACE : p.ladder().get(Math.min(n, p.ladder().size()) - 1);
      String reason = fatal ? "fatal error (" + why + ")" : ordinal(n) + " failure within "
          + p.failureWindow() + " (" + why + ")";
      long id = o.rev;
      Repair chosen = Repair.chosen(id, action, reason, fatal, now());
      setRepair(m.id(), chosen);
      log(m, null, "chose", action.label() + ": " + reason);
      holdsDirty = true;
      if (action == RepairAction.DO_NOTHING) {
        move(view(m.id()), LifecycleState.PROBATION, "DoNothing: watched for " + p.probation());
        setRepair(m.id(), new Repair(id, action, reason, false, Status.DONE, null, null, 0, now(),
            now(), now(), now(), "nothing done; watched in probation"));
      }
    }

    /** Opens incidents where the machines that failed now make a rack or unit trip the breaker. */
    private void breakers() {
      Set<String> scopes = new LinkedHashSet<>();
      for (MachineId id : failedNow) {
        Machine m = view(id);
        if (m.rack() != null) {
          scopes.add("rack:" + m.rack());
        }
        if (m.scaleUnit() != null) {
          scopes.add("unit:" + m.scaleUnit());
        }
      }
      for (String scope : scopes) {
        if (openIncident(scope) != null) {
          continue;
        }
        List<Machine> members = new ArrayList<>();
        for (Machine m : fleet.machines().values()) {
          Machine v = view(m.id());
          if (v.state() != LifecycleState.DECOMMISSIONED && inScope(v, scope)) {
            members.add(v);
          }
        }
        if (members.isEmpty()) {
          continue;
        }
        HealthPolicy.Breaker b = policy(view(failedNow.stream()
            .filter(id -> inScope(view(id), scope)).findFirst().orElseThrow())).breaker();
        Instant from = now().minus(Durations.parse(b.window(), "window"));
        List<MachineId> failed = members.stream().filter(v -> !v.failures().isEmpty()
            && !v.failures().get(v.failures().size() - 1).at().isBefore(from)
            && (v.state() == LifecycleState.FAILURE || v.state() == LifecycleState.PROBATION
                || v.state() == LifecycleState.REPLACE))
            .map(Machine::id).toList();
        int threshold = b.threshold(members.size());
        if (failed.size() < threshold) {
          continue;
        }
        String reason = failed.size() + " of " + members.size() + " machines of " + scope
            + " failed within " + b.window() + " (breaker: " + b.percent() + "%, at least "
            + b.minMachines() + "); repairs there are held until a human resolves it";
        long id = o.rev;
        Incident inc = new Incident(id, scope, reason, failed, now(), null, null, id);
        o.add(rev -> new IncidentUpdated(rev, o.at, o.actor, o.cause, inc));
        incidents.put(id, inc);
        log(null, scope, "incident", "incident " + id + " opened: " + reason);
      }
    }

    private Incident openIncident(String scope) {
      for (Incident i : incidents.values()) {
        if (i != null && i.scope().equals(scope)) {
          return i;
        }
      }
      for (Incident i : fleet.incidents().values()) {
        if (i.open() && i.scope().equals(scope) && !incidents.containsKey(i.id())) {
          return i;
        }
      }
      return null;
    }

    /** Why each waiting repair is not handed out now (null: it may be), oldest first. */
    Map<MachineId, String> holds() {
      List<Machine> waiting = new ArrayList<>();
      RepairBudget budget = new RepairBudget(fleet);
      for (Machine fm : fleet.machines().values()) {
        Machine m = view(fm.id());
        budget.count(m);
        if (m.state() == LifecycleState.FAILURE && m.repair() != null
            && m.repair().status() == Status.WAITING) {
          waiting.add(m);
        }
      }
      waiting.sort(Comparator.comparingLong((Machine m) -> m.repair().id()).thenComparing(Machine::id));
      Map<MachineId, String> out = new LinkedHashMap<>();
      for (Machine m : waiting) {
        out.put(m.id(), hold(m, budget));
      }
      return out;
    }

    private String hold(Machine m, RepairBudget budget) {
      Repair r = m.repair();
      HealthPolicy p = policy(m);
      if (silenced(m)) {
        return "silenced until " + m.silencedUntil();
      }
      for (String scope : scopesOf(m)) {
        Incident i = openIncident(scope);
        if (i != null) {
          return "incident " + i.id() + " open for " + scope;
        }
      }
      if (!r.urgent() && !p.inWindow(now())) {
        Instant next = p.nextWindow(now());
        return "outside maintenance window" + (next == null ? "" : "; next opens " + next);
      }
      if (r.action() == RepairAction.REBOOT || r.action() == RepairAction.REIMAGE) {
        String full = budget.full(m);
        if (full != null) {
          return full;
        }
        budget.take(m);
      }
      return null;
    }

    /** Emits the changed holds, and opens incidents; the accepted decision. */
    Decision finish() {
      breakers();
      if (holdsDirty || !failedNow.isEmpty()) {
        for (Map.Entry<MachineId, String> h : holds().entrySet()) {
          Machine m = view(h.getKey());
          Repair r = m.repair();
          if (!java.util.Objects.equals(r.held(), h.getValue())) {
            setRepair(m.id(), r.heldFor(h.getValue()));
            log(m, null, h.getValue() == null ? "free" : "held", r.action().label()
                + (h.getValue() == null ? " may be handed out now" : " held: " + h.getValue()));
          }
        }
      }
      return Decision.accept(o.list);
    }

    void move(Machine m, LifecycleState to, String why) {
      LifecycleState from = m.state();
      o.add(rev -> new StateChanged(rev, o.at, o.actor, why, m.id(), from, to));
      view.put(m.id(), m.withState(to, o.at, o.rev - 1, why));
    }

    void setRepair(MachineId id, Repair r) {
      o.add(rev -> new RepairUpdated(rev, o.at, o.actor, o.cause, id, r));
      view.put(id, view(id).withRepair(r, o.rev - 1));
    }

    void log(Machine m, String scope, String kind, String text) {
      String where = scope != null ? scope : m != null && m.scaleUnit() != null ? "unit:" + m.scaleUnit() : null;
      o.add(rev -> new RepairDecided(rev, o.at, o.actor, o.cause, m == null ? null : m.id(), where,
          kind, text));
    }

    private boolean silenced(Machine m) {
      return m.silencedUntil() != null && now().isBefore(m.silencedUntil());
    }

    /** A machine in Probation because a rollout activated a new version on it. */
    private boolean inRollout(Machine m) {
      Rollout r = m.machineType() == null ? null : fleet.rollouts().get(m.machineType());
      return r != null && r.status().open() && r.to().equals(m.software().active());
    }

    private Confirmed confirmed(Machine m, HealthPolicy p, Instant armed) {
      Confirmed byTime = null;
      for (WatchdogState w : m.watchdogs().values()) {
        if (w.status() != Health.ERROR) {
          continue;
        }
        String text = w.name() + ": " + w.text();
        HealthPolicy.FatalRule f = p.fatalRule(w.name(), w.text());
        if (f != null) {
          return new Confirmed(text + " [fatal: " + f.watchdog() + " ~ /" + f.matches() + "/]", true);
        }
        boolean fresh = armed == null || !w.since().isBefore(armed);
        if (fresh && w.consecutive() >= p.confirmReports()) {
          byTime = byTime != null ? byTime : new Confirmed(text + " (" + w.consecutive()
              + " consecutive reports)", false);
        }
        Instant since = armed == null || w.since().isAfter(armed) ? w.since() : armed;
        if (!now().isBefore(since.plus(p.confirmAfterDuration()))) {
          byTime = byTime != null ? byTime : new Confirmed(text + " (Error for "
              + Durations.format(Duration.ofSeconds(Duration.between(since, now()).toSeconds())) + ")", false);
        }
      }
      return byTime;
    }

    /** No Error since its failure, for a whole probation period. */
    private boolean recovered(Machine m, HealthPolicy p) {
      if (m.health() == Health.ERROR || m.failures().isEmpty()) {
        return false;
      }
      Instant failed = m.failures().get(m.failures().size() - 1).at();
      return !m.healthSince().isBefore(failed)
          && !now().isBefore(m.healthSince().plus(p.probationDuration()));
    }

    private static String lastCause(Machine m) {
      return m.failures().isEmpty() ? "no cause recorded"
          : m.failures().get(m.failures().size() - 1).cause();
    }

    private record Confirmed(String text, boolean fatal) {}
  }

  private static List<String> scopesOf(Machine m) {
    List<String> s = new ArrayList<>(3);
    s.add(HostKeyRules.MACHINE_SCOPE + m.id().value());
    if (m.rack() != null) {
      s.add("rack:" + m.rack());
    }
    if (m.scaleUnit() != null) {
      s.add("unit:" + m.scaleUnit());
    }
    return s;
  }

  private static boolean inScope(Machine m, String scope) {
    if (scope.startsWith(HostKeyRules.MACHINE_SCOPE)) {
      return scope.substring(HostKeyRules.MACHINE_SCOPE.length()).equals(m.id().value());
    }
    return scope.startsWith("rack:") ? scope.substring(5).equals(m.rack())
        : scope.substring(5).equals(m.scaleUnit());
  }

  private static String ordinal(int n) {
    String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th"
        : switch (n % 10) {
          case 1 -> "st";
          case 2 -> "nd";
          case 3 -> "rd";
          default -> "th";
        };
    return n + suffix;
  }

  /**
   * Machines being disrupted (in Probation after a repair action or an activation) per budget
   * scope. A repair may be handed out when its scopes have room. Failed machines waiting for
   * repair do not count here (they count against rollouts): otherwise a budget filled with
   * failures could never repair any of them; mass failure is the breaker's business.
   */
  private static final class RepairBudget {
    private final Map<String, int[]> usedAndPopulation = new HashMap<>();
    private final Map<String, Budget> budgets;

    RepairBudget(Fleet fleet) {
      this.budgets = fleet.budgets();
    }

    void count(Machine m) {
      if (m.state() == LifecycleState.DECOMMISSIONED) {
        return;
      }
      for (String scope : RolloutRules.Budgets.scopes(m)) {
        if (budgets.containsKey(scope)) {
          int[] c = usedAndPopulation.computeIfAbsent(scope, k -> new int[2]);
          c[1]++;
          c[0] += disrupting(m) ? 1 : 0;
        }
      }
    }

    /** Which budget has no room for one more disrupted machine like {@code m}, or null. */
    String full(Machine m) {
      for (String scope : RolloutRules.Budgets.scopes(m)) {
        Budget b = budgets.get(scope);
        int[] c = usedAndPopulation.get(scope);
        if (b != null && c != null && c[0] + 1 > b.cap(c[1])) {
          return "budget " + scope + " " + c[0] + "/" + b.cap(c[1]) + " in repair or rollout";
        }
      }
      return null;
    }

    void take(Machine m) {
      for (String scope : RolloutRules.Budgets.scopes(m)) {
        int[] c = usedAndPopulation.get(scope);
        if (c != null) {
          c[0]++;
        }
      }
    }

    static boolean disrupting(Machine m) {
      return m.state() == LifecycleState.PROBATION && !(m.repair() != null && m.repair().active()
          && m.repair().action() == RepairAction.DO_NOTHING);
    }
  }
}
