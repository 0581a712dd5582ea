package org.autopilot.cockpit.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.IngestStatus;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.RepairDecision;
import org.autopilot.devicemanager.model.Rollout;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePMap;
import org.pcollections.TreePVector;

/**
 * Cockpit's copy of the fleet at one DM revision: immutable, so a page reads one consistent
 * version without locks while the mirror builds the next.
 *
 * @param configured whether a DM is configured at all
 * @param revision the DM revision this copy reflects (0 before the first load)
 * @param dmTime the leader time of the newest event seen, or null
 * @param loadedAt when Cockpit last brought this copy up to date, or null before the first load
 * @param problem why the copy may be stale (the DM is unreachable...), or null
 * @param machines every machine by id
 * @param summary counts for the overview
 * @param rollouts the latest rollout of each machine type, by type
 * @param budgets disruption budgets
 * @param incidents every incident, newest first
 * @param repairs the repair queue, oldest first
 * @param decisions the newest decision-log entries, oldest first
 * @param events the newest audit events, oldest first
 * @param manifests registered manifest versions by {@code name@version}
 * @param leases satellite leases
 * @param policies health policies by scope
 * @param ingests manifest sources
 */
public record FleetView(boolean configured, long revision, Instant dmTime, Instant loadedAt,
    String problem, PSortedMap<MachineId, Machine> machines, FleetSummary summary,
    Map<String, Rollout> rollouts, List<Budget> budgets, List<Incident> incidents,
    List<FleetQueries.RepairItem> repairs, PVector<RepairDecision> decisions,
    PVector<AuditEntry> events, Map<String, ManifestSummary> manifests, List<Lease> leases,
    Map<String, HealthPolicy> policies, List<IngestStatus> ingests) {

  /** The view before anything was loaded. */
  public static FleetView empty(boolean configured, String problem) {
    return new FleetView(configured, 0, null, null, problem, TreePMap.empty(),
        FleetSummary.of(List.of(), List.of(), List.of(), null), Map.of(), List.of(), List.of(),
        List.of(), TreePVector.empty(), TreePVector.empty(), Map.of(), List.of(), Map.of(),
        List.of());
  }

  /** The machine with this id, or null. */
  public Machine machine(String id) {
    try {
      return machines.get(MachineId.of(id));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** This view with another problem note. */
  public FleetView withProblem(String why) {
    return new FleetView(configured, revision, dmTime, loadedAt, why, machines, summary, rollouts,
        budgets, incidents, repairs, decisions, events, manifests, leases, policies, ingests);
  }
}
