package org.autopilot.cockpit.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.IngestStatus;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Rollout;

/**
 * What Cockpit reads from the Device Manager: the blocking watch and the read endpoints of its
 * API. {@link DmConnection} is the real one; every call may throw when the DM is unreachable.
 */
public interface FleetSource {
  /** Blocks until the fleet revision passes {@code index} or {@code wait} runs out; the revision. */
  long watch(long index, Duration wait);

  /** Every machine. */
  List<Machine> allMachines();

  /** One machine, if it exists. */
  Optional<Machine> machine(MachineId id);

  /** Audit events after revision {@code after}, oldest first. */
  FleetQueries.EventPage events(long after, int limit);

  /** The newest {@code limit} audit events about one machine, oldest first. */
  List<org.autopilot.devicemanager.event.DmEvent> machineEvents(MachineId id, int limit);

  /** The newest {@code limit} decision-log entries about one machine, oldest first. */
  List<org.autopilot.devicemanager.model.RepairDecision> machineDecisions(MachineId id, int limit);

  /** Decision-log entries after revision {@code after}, oldest first. */
  FleetQueries.DecisionPage decisions(long after, int limit);

  /** The repair queue. */
  FleetQueries.RepairQueue repairs();

  /** Every incident, open or resolved. */
  List<Incident> incidents();

  /** The latest rollout of each machine type. */
  List<Rollout> rollouts();

  /** Disruption budgets. */
  List<Budget> budgets();

  /** Satellite leases. */
  List<Lease> leases();

  /** Registered manifest versions with the commit each came from. */
  List<ManifestSummary> manifests();

  /** Health policies by scope. */
  Map<String, HealthPolicy> policies();

  /** Manifest sources (git ingest) and what became of their commits. */
  List<IngestStatus> ingests();
}
