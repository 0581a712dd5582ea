package org.autopilot.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.autopilot.devicemanager.event.BudgetSet;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;

/**
 * The invariants read from one replica's complete audit trail (events in revision order, from
 * revision 1), each returning the violations it found (empty: it holds). Pure: no I/O, no clock.
 */
final class AuditChecks {
  private AuditChecks() {}

  /**
   * The trail is gap-free: revision {@code i} is the i-th event. Without this the other checks
   * would judge a partial history.
   */
  static List<String> complete(List<DmEvent> events) {
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).revision() != i + 1) {
        bad.add("event #" + (i + 1) + " has revision " + events.get(i).revision());
        break;
      }
    }
    return bad;
  }

  /**
   * Every acknowledged event is in the trail at its revision, equal in every field.
   */
  static List<String> acknowledgedPresent(List<DmEvent> events, List<DmEvent> acknowledged) {
    List<String> bad = new ArrayList<>();
    for (DmEvent a : acknowledged) {
      int i = (int) a.revision() - 1;
      DmEvent here = i >= 0 && i < events.size() ? events.get(i) : null;
      if (!a.equals(here)) {
        bad.add("acknowledged " + a.getClass().getSimpleName() + " at revision " + a.revision()
            + " is " + (here == null ? "missing" : "another event: " + here));
      }
    }
    return bad;
  }

  /**
   * No repair was handed out twice or started twice. A repair is one failure's action: it is
   * named by its {@link Repair#id()} (the revision at which the DM chose it), so "twice for one
   * failure" means: for one machine and one repair id, more than one {@link RepairUpdated} event
   * moving that repair into {@link Repair.Status#CLAIMED} (handed out), or more than one moving it
   * into {@link Repair.Status#STARTED} (the service about to act on the machine). An event
   * repeating the status the repair already had is no move.
   */
  static List<String> noRepairTwice(List<DmEvent> events) {
    List<String> bad = new ArrayList<>();
    Map<String, Repair> current = new HashMap<>();
    Map<String, Integer> claims = new HashMap<>();
    Map<String, Integer> starts = new HashMap<>();
    for (DmEvent e : events) {
      if (e instanceof RepairUpdated u) {
        String machine = u.machine().value();
        Repair before = current.get(machine);
        Repair after = u.repair();
        if (after == null) {
          current.remove(machine);
          continue;
        }
        current.put(machine, after);
        boolean same = before != null && before.id() == after.id();
        String key = machine + " repair " + after.id() + " (" + after.action().label() + ")";
        if (after.status() == Repair.Status.CLAIMED && !(same && before.status() == Repair.Status.CLAIMED)) {
          if (claims.merge(key, 1, Integer::sum) == 2) {
            bad.add(key + " handed out a second time at revision " + u.revision() + " to " + after.holder());
          }
        }
        if (after.status() == Repair.Status.STARTED && !(same && before.status() == Repair.Status.STARTED)) {
          if (starts.merge(key, 1, Integer::sum) == 2) {
            bad.add(key + " started a second time at revision " + u.revision() + " by " + after.holder());
          }
        }
      }
    }
    return bad;
  }

  /**
   * Budgets were never exceeded by the system's own disruptions. Replaying the trail, each time a
   * machine enters Probation — the DM handing out a repair or activating a manifest, the two
   * disruptions budgets limit — the machines disrupted in each of its scopes ({@code fleet},
   * {@code type:T}, {@code unit:U}) must not exceed that scope's budget cap for the scope's
   * population (machines not Decommissioned). Disrupted = in Probation, except under a
   * DoNothing repair (nothing was done to it). Machines that failed by themselves are not the
   * system's doing and are not counted here (the DM counts them against rollouts only, see
   * docs/health.md): a burst of faults can put more machines in Failure than a budget allows
   * without anything being wrong.
   */
  static List<String> budgetsHeld(List<DmEvent> events) {
    List<String> bad = new ArrayList<>();
    Map<String, String> budgets = new HashMap<>();
    Map<String, LifecycleState> state = new HashMap<>();
    Map<String, String[]> place = new HashMap<>();
    Map<String, Repair> repair = new HashMap<>();
    for (DmEvent e : events) {
      if (e instanceof BudgetSet b) {
        budgets.put(b.scope(), b.limit());
      } else if (e instanceof MachineRegistered r) {
        String id = r.machine().id().value();
        state.put(id, r.machine().state());
        place.put(id, new String[] {r.machine().machineType(), r.machine().scaleUnit()});
        repair.remove(id);
      } else if (e instanceof MachinePlaced p) {
        place.put(p.machine().value(), new String[] {p.machineType(), p.scaleUnit()});
      } else if (e instanceof RepairUpdated u) {
        repair.put(u.machine().value(), u.repair());
      } else if (e instanceof StateChanged s) {
        String id = s.machine().value();
        state.put(id, s.to());
        if (s.to() == LifecycleState.PROBATION && disrupted(id, state, repair)) {
          for (String scope : scopes(place.get(id))) {
            String limit = budgets.get(scope);
            if (limit == null) {
              continue;
            }
            int population = 0;
            int out = 0;
            for (String m : state.keySet()) {
              if (state.get(m) != LifecycleState.DECOMMISSIONED && scopes(place.get(m)).contains(scope)) {
                population++;
                out += disrupted(m, state, repair) ? 1 : 0;
              }
            }
            int cap = new Budget(scope, limit, 0).cap(population);
            if (out > cap) {
              bad.add("revision " + s.revision() + ": " + id + " to Probation (" + s.cause() + ") made "
                  + out + " machines of " + scope + " disrupted, budget " + limit + " = " + cap
                  + " of " + population);
            }
          }
        }
      }
    }
    return bad;
  }

  private static boolean disrupted(String id, Map<String, LifecycleState> state, Map<String, Repair> repair) {
    Repair r = repair.get(id);
    return state.get(id) == LifecycleState.PROBATION
        && !(r != null && r.active() && r.action() == RepairAction.DO_NOTHING);
  }

  private static List<String> scopes(String[] place) {
    List<String> s = new ArrayList<>(List.of("fleet"));
    if (place != null && place[0] != null) {
      s.add("type:" + place[0]);
    }
    if (place != null && place[1] != null) {
      s.add("unit:" + place[1]);
    }
    return s;
  }

  /**
   * Every machine given a fault was repaired: its trail has a repair of the action that fault
   * needs (Replace for a disk error, Reboot for the rest) that was started. A fault cured without
   * a repair would mean something else rebooted the machine, or the fault never took.
   */
  static List<String> faultsRepaired(List<DmEvent> events, Map<String, org.autopilot.fleetsim.Fault> faulted) {
    List<String> bad = new ArrayList<>();
    faulted.forEach((machine, fault) -> {
      RepairAction needed = fault == org.autopilot.fleetsim.Fault.DISK_ERROR ? RepairAction.REPLACE : RepairAction.REBOOT;
      boolean repaired = events.stream().anyMatch(e -> e instanceof RepairUpdated u
          && u.machine().value().equals(machine) && u.repair() != null && u.repair().action() == needed
          && u.repair().status() == Repair.Status.STARTED);
      if (!repaired) {
        bad.add(machine + " got " + fault + " but no " + needed.label() + " was started for it");
      }
    });
    return bad;
  }

  /**
   * What the machines themselves went through is covered by the trail: a simulated machine boots
   * once when powered on and once more for every reboot or reimage that reaches it over SSH, and
   * both the repair service (a {@code Started} Reboot or Reimage) and provisioning (a
   * {@code reimage} or {@code restart} step) record in the DM before they send one. So for each
   * machine, {@code boots - 1} must not exceed those records, and the reimages it received must
   * not exceed the recorded reimages. More would be an action taken twice, or taken without a
   * record.
   *
   * @param seen per machine id: {@code {boots, reimages received}}
   */
  static List<String> machineActionsRecorded(List<DmEvent> events, Map<String, int[]> seen) {
    List<String> bad = new ArrayList<>();
    Map<String, int[]> recorded = new HashMap<>(); // {reboots or reimages, reimages}
    for (DmEvent e : events) {
      if (e instanceof org.autopilot.devicemanager.event.ProvisioningReported p) {
        String step = p.step().step();
        if (step.equals("reimage") || step.equals("restart")) {
          int[] r = recorded.computeIfAbsent(p.machine().value(), k -> new int[2]);
          r[0]++;
          r[1] += step.equals("reimage") ? 1 : 0;
        }
      } else if (e instanceof RepairUpdated u && u.repair() != null && u.repair().status() == Repair.Status.STARTED
          && (u.repair().action() == RepairAction.REBOOT || u.repair().action() == RepairAction.REIMAGE)) {
        int[] r = recorded.computeIfAbsent(u.machine().value(), k -> new int[2]);
        r[0]++;
        r[1] += u.repair().action() == RepairAction.REIMAGE ? 1 : 0;
      }
    }
    seen.forEach((machine, s) -> {
      int[] r = recorded.getOrDefault(machine, new int[2]);
      if (s[0] - 1 > r[0]) {
        bad.add(machine + " booted " + s[0] + " times: " + (s[0] - 1) + " reboots or reimages, but only "
            + r[0] + " recorded in the DM");
      }
      if (s[1] > r[1]) {
        bad.add(machine + " received " + s[1] + " reimages, but only " + r[1] + " recorded in the DM");
      }
    });
    return bad;
  }

  /** Repairs started in the trail, by action. */
  static Map<String, Integer> repairsStarted(List<DmEvent> events) {
    Map<String, Integer> n = new java.util.TreeMap<>();
    for (DmEvent e : events) {
      if (e instanceof RepairUpdated u && u.repair() != null && u.repair().status() == Repair.Status.STARTED) {
        n.merge(u.repair().action().label(), 1, Integer::sum);
      }
    }
    return n;
  }

  /** The replicas hold the same trail (compared up to the shortest). */
  static List<String> sameTrail(String a, List<DmEvent> ea, String b, List<DmEvent> eb) {
    int n = Math.min(ea.size(), eb.size());
    for (int i = 0; i < n; i++) {
      if (!Objects.equals(ea.get(i), eb.get(i))) {
        return List.of(a + " and " + b + " differ at revision " + (i + 1) + ": " + ea.get(i) + " vs " + eb.get(i));
      }
    }
    return List.of();
  }
}
