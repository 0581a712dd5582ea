package org.autopilot.cockpit.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.Rollout;

/**
 * Where one scale unit of a rollout is, counted from the mirrored machines of its type.
 *
 * @param unit the scale unit
 * @param phase its phase in the rollout
 * @param since when the phase began, or null
 * @param machines machines of the type in the unit
 * @param holding of those, how many hold the new version on disk
 * @param running how many run it
 * @param healthyOnNew how many run it and are Healthy
 * @param baking how many are in Probation on it (being baked)
 * @param nextBakeEnd the earliest end of a bake under way in the unit, or null
 */
public record RolloutProgress(String unit, Rollout.Phase phase, Instant since, int machines,
    int holding, int running, int healthyOnNew, int baking, Instant nextBakeEnd) {

  /** Percent of the unit's machines healthy on the new version. */
  public int percentHealthy() {
    return machines == 0 ? 0 : 100 * healthyOnNew / machines;
  }

  /** Percent of the unit's machines holding the new version. */
  public int percentHolding() {
    return machines == 0 ? 0 : 100 * holding / machines;
  }

  /** The progress of every unit of {@code r}. */
  public static List<RolloutProgress> of(Rollout r, Iterable<Machine> machines) {
    List<RolloutProgress> out = new ArrayList<>();
    for (Rollout.UnitRollout u : r.units()) {
      int n = 0;
      int holding = 0;
      int running = 0;
      int healthy = 0;
      int baking = 0;
      Instant bakeEnd = null;
      for (Machine m : machines) {
        if (!r.machineType().equals(m.machineType()) || !u.unit().equals(m.scaleUnit())
            || m.state() == LifecycleState.DECOMMISSIONED) {
          continue;
        }
        n++;
        var s = m.software();
        boolean holds = s.held().contains(r.to()) || r.to().equals(s.active());
        boolean runs = r.to().equals(s.running());
        holding += holds ? 1 : 0;
        running += runs ? 1 : 0;
        healthy += runs && m.state() == LifecycleState.HEALTHY ? 1 : 0;
        if (r.to().equals(s.active()) && m.state() == LifecycleState.PROBATION) {
          baking++;
          Instant end = m.stateSince() == null ? null : m.stateSince().plusMillis(r.bakeMillis());
          if (end != null && (bakeEnd == null || end.isBefore(bakeEnd))) {
            bakeEnd = end;
          }
        }
      }
      out.add(new RolloutProgress(u.unit(), u.phase(), u.since(), n, holding, running, healthy,
          baking, bakeEnd));
    }
    return out;
  }
}
