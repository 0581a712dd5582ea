package org.autopilot.cockpit.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;

/**
 * The fleet at a glance: machines per lifecycle state and health, in all and per machine type
 * and scale unit, budgets in use, open incidents. Computed once per mirror update (one pass over
 * the machines), so the overview costs nothing to render.
 *
 * @param all every machine
 * @param byType one row per machine type (untyped machines under {@code (none)})
 * @param byUnit one row per scale unit
 * @param budgets each budget with how much of it is in use
 * @param openIncidents incidents not resolved yet
 * @param repairsActive machines whose repair is not over
 * @param repairsHeld of those, how many wait held (budget, window, incident, silence)
 * @param silenced machines currently silenced (by the last known DM clock)
 */
public record FleetSummary(Row all, List<Row> byType, List<Row> byUnit, List<BudgetUse> budgets,
    List<Incident> openIncidents, int repairsActive, int repairsHeld, int silenced) {

  /** The lifecycle states in the order they are shown. */
  public static final List<LifecycleState> STATES = List.of(LifecycleState.values());
  /** Health values in the order they are shown. */
  public static final List<Health> HEALTHS = List.of(Health.OK, Health.WARNING, Health.ERROR,
      Health.UNKNOWN);

  /** Counts of one group of machines (a type, a unit, or the whole fleet); filled once, then read. */
  public static final class Row {
    private final String name;
    private int total;
    private final int[] states = new int[LifecycleState.values().length];
    private final int[] healths = new int[Health.values().length];

    Row(String name) {
      this.name = name;
    }

    /** The group's name. */
    public String name() {
      return name;
    }

    /** Machines in the group. */
    public int total() {
      return total;
    }

    /** Machines of this group in {@code s}. */
    public int in(LifecycleState s) {
      return states[s.ordinal()];
    }

    /** Machines of this group with health {@code h}. */
    public int with(Health h) {
      return healths[h.ordinal()];
    }

    /** Machines out of service: Probation, Failure or Replace. */
    public int out() {
      return in(LifecycleState.PROBATION) + in(LifecycleState.FAILURE) + in(LifecycleState.REPLACE);
    }

    /** Percent of the group in {@code s}, for bar widths. */
    public double percent(LifecycleState s) {
      return total == 0 ? 0 : 100.0 * in(s) / total;
    }

    void add(Machine m) {
      total++;
      states[m.state().ordinal()]++;
      healths[m.health().ordinal()]++;
    }
  }

  /** {@link #STATES}, for templates. */
  public List<LifecycleState> states() {
    return STATES;
  }

  /** {@link #HEALTHS}, for templates. */
  public List<Health> healths() {
    return HEALTHS;
  }

  /**
   * A disruption budget and its use, counted as the DM counts it for rollouts: machines in
   * Probation, Failure or Replace among the scope's machines that are not decommissioned.
   *
   * @param scope {@code fleet}, {@code type:NAME} or {@code unit:NAME}
   * @param limit as set ({@code 3} or {@code 25%})
   * @param used machines out of service in the scope
   * @param cap how many may be
   * @param population the scope's machines
   */
  public record BudgetUse(String scope, String limit, int used, int cap, int population) {
    /** Used share of the cap in percent (over 100 when more are out than the cap allows). */
    public int percent() {
      return cap == 0 ? 0 : (int) Math.round(100.0 * used / cap);
    }

    /** True when no more machine may go out of service in this scope. */
    public boolean full() {
      return used >= cap;
    }
  }

  /** The summary of {@code machines}, their budgets and incidents. */
  public static FleetSummary of(Collection<Machine> machines, Collection<Budget> budgets,
      Collection<Incident> incidents, java.time.Instant now) {
    Row all = row("fleet");
    Map<String, Row> types = new TreeMap<>();
    Map<String, Row> units = new TreeMap<>();
    Map<String, int[]> scopes = new TreeMap<>();
    for (Budget b : budgets) {
      scopes.put(b.scope(), new int[2]);
    }
    int repairs = 0;
    int held = 0;
    int silenced = 0;
    for (Machine m : machines) {
      all.add(m);
      types.computeIfAbsent(m.machineType() == null ? "(none)" : m.machineType(), FleetSummary::row).add(m);
      units.computeIfAbsent(m.scaleUnit() == null ? "(none)" : m.scaleUnit(), FleetSummary::row).add(m);
      if (m.repair() != null && m.repair().active()) {
        repairs++;
        held += m.repair().held() != null ? 1 : 0;
      }
      if (m.silencedUntil() != null && (now == null || m.silencedUntil().isAfter(now))) {
        silenced++;
      }
      if (!scopes.isEmpty() && m.state() != LifecycleState.DECOMMISSIONED) {
        boolean out = m.state() == LifecycleState.PROBATION || m.state() == LifecycleState.FAILURE
            || m.state() == LifecycleState.REPLACE;
        count(scopes.get("fleet"), out);
        if (m.machineType() != null) {
          count(scopes.get("type:" + m.machineType()), out);
        }
        if (m.scaleUnit() != null) {
          count(scopes.get("unit:" + m.scaleUnit()), out);
        }
      }
    }
    List<BudgetUse> uses = new ArrayList<>();
    for (Budget b : budgets) {
      int[] c = scopes.get(b.scope());
      uses.add(new BudgetUse(b.scope(), b.limit(), c[0], b.cap(c[1]), c[1]));
    }
    List<Incident> open = incidents.stream().filter(Incident::open)
        .sorted(java.util.Comparator.comparingLong(Incident::id).reversed()).toList();
    return new FleetSummary(all, List.copyOf(types.values()), List.copyOf(units.values()), uses,
        open, repairs, held, silenced);
  }

  private static void count(int[] c, boolean out) {
    if (c != null) {
      c[1]++;
      c[0] += out ? 1 : 0;
    }
  }

  private static Row row(String name) {
    return new Row(name);
  }
}
