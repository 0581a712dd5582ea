package org.autopilot.devicemanager.model;

import java.time.Instant;
import java.util.Map;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.manifests.ManifestRef;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The whole ground truth of the Device Manager at one revision. Immutable and persistent: a
 * change shares almost all structure with its predecessor, so a reader can hold any version for
 * as long as it likes without locks.
 *
 * @param revision number of accepted events applied so far; grows by one per event
 * @param clock leader-stamped time of the newest applied batch, never decreasing
 * @param machines all machines, by id
 * @param machineTypes all machine types, by name
 * @param scaleUnits all scale units, by name
 * @param leases satellite leases, by service (expired ones stay until replaced or released)
 * @param manifests registered manifest versions, by reference; immutable once registered
 * @param rollouts the latest rollout of each machine type, by type name
 * @param budgets disruption budgets, by scope ({@code fleet}, {@code type:NAME}, {@code unit:NAME})
 * @param ingests the state of each manifest source (git repository and branch), by source name
 * @param policies health policies, by scope ({@code default} or a machine type)
 * @param incidents correlated-failure incidents, by id
 * @param decisions the decision log: the newest {@link #DECISION_RETENTION} entries, by revision
 * @param events the audit trail: the newest {@code eventRetention} events, by revision
 * @param eventRetention how many events the audit trail keeps, at least 1
 */
public record Fleet(
    long revision,
    Instant clock,
    PSortedMap<MachineId, Machine> machines,
    PSortedMap<String, MachineType> machineTypes,
    PSortedMap<String, ScaleUnit> scaleUnits,
    PSortedMap<String, Lease> leases,
    PSortedMap<ManifestRef, ManifestVersion> manifests,
    PSortedMap<String, Rollout> rollouts,
    PSortedMap<String, Budget> budgets,
    PSortedMap<String, IngestStatus> ingests,
    PSortedMap<String, HealthPolicy> policies,
    PSortedMap<Long, Incident> incidents,
    PSortedMap<Long, RepairDecision> decisions,
    PSortedMap<Long, DmEvent> events,
    int eventRetention) {

  /** Default size of the in-memory audit trail. */
  public static final int DEFAULT_EVENT_RETENTION = 100_000;
  /** How many decision-log entries are kept. */
  public static final int DECISION_RETENTION = 20_000;

  /** Rejects a retention below one; absent tables are empty. */
  public Fleet {
    if (eventRetention < 1) {
      throw new IllegalArgumentException("eventRetention must be at least 1");
    }
    manifests = manifests == null ? TreePMap.empty() : manifests;
    rollouts = rollouts == null ? TreePMap.empty() : rollouts;
    budgets = budgets == null ? TreePMap.empty() : budgets;
    ingests = ingests == null ? TreePMap.empty() : ingests;
    policies = policies == null ? TreePMap.empty() : policies;
    incidents = incidents == null ? TreePMap.empty() : incidents;
    decisions = decisions == null ? TreePMap.empty() : decisions;
  }

  /** The empty fleet at revision 0. */
  public static Fleet empty(int eventRetention) {
    return new Fleet(0, Instant.EPOCH, TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
        TreePMap.empty(), null, null, null, null, null, null, null, TreePMap.empty(),
        eventRetention);
  }

  /** The machine with this id, or null. */
  public Machine machine(MachineId id) {
    return id == null ? null : machines.get(id);
  }

  /** This fleet with one more event recorded at the next revision and the audit trail trimmed. */
  public Fleet record(DmEvent event, Map<MachineId, Machine> machineChanges) {
    PSortedMap<Long, DmEvent> trail = events.plus(event.revision(), event);
    while (trail.size() > eventRetention) {
      trail = trail.minus(trail.firstKey());
    }
    return new Fleet(event.revision(), clock, machines.plusAll(machineChanges), machineTypes,
        scaleUnits, leases, manifests, rollouts, budgets, ingests, policies, incidents, decisions, trail, eventRetention);
  }

  /** This fleet with its clock moved to {@code at} (never backwards). */
  public Fleet withClock(Instant at) {
    return at.isAfter(clock)
        ? new Fleet(revision, at, machines, machineTypes, scaleUnits, leases, manifests, rollouts,
            budgets, ingests, policies, incidents, decisions, events, eventRetention)
        : this;
  }

  /** This fleet with a changed machine-type table. */
  public Fleet withMachineTypes(PSortedMap<String, MachineType> types) {
    return new Fleet(revision, clock, machines, types, scaleUnits, leases, manifests, rollouts,
        budgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed scale-unit table. */
  public Fleet withScaleUnits(PSortedMap<String, ScaleUnit> units) {
    return new Fleet(revision, clock, machines, machineTypes, units, leases, manifests, rollouts,
        budgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed lease table. */
  public Fleet withLeases(PSortedMap<String, Lease> newLeases) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, newLeases, manifests,
        rollouts, budgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed manifest table. */
  public Fleet withManifests(PSortedMap<ManifestRef, ManifestVersion> newManifests) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, newManifests,
        rollouts, budgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed rollout table. */
  public Fleet withRollouts(PSortedMap<String, Rollout> newRollouts) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        newRollouts, budgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed budget table. */
  public Fleet withBudgets(PSortedMap<String, Budget> newBudgets) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, newBudgets, ingests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed ingest table. */
  public Fleet withIngests(PSortedMap<String, IngestStatus> newIngests) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, budgets, newIngests, policies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed policy table. */
  public Fleet withPolicies(PSortedMap<String, HealthPolicy> newPolicies) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, budgets, ingests, newPolicies, incidents, decisions, events, eventRetention);
  }

  /** This fleet with a changed incident table. */
  public Fleet withIncidents(PSortedMap<Long, Incident> newIncidents) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, budgets, ingests, policies, newIncidents, decisions, events, eventRetention);
  }

  /** This fleet with one more decision-log entry, the oldest dropped beyond the retention. */
  public Fleet withDecision(RepairDecision d) {
    PSortedMap<Long, RepairDecision> log = decisions.plus(d.revision(), d);
    while (log.size() > DECISION_RETENTION) {
      log = log.minus(log.firstKey());
    }
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, budgets, ingests, policies, incidents, log, events, eventRetention);
  }

  /** The health policy for machines of {@code type}: its own, else the default, else built-in. */
  public HealthPolicy policyFor(String type) {
    HealthPolicy p = type == null ? null : policies.get(type);
    if (p == null) {
      p = policies.get("default");
    }
    return p == null ? HealthPolicy.DEFAULT : p;
  }

  /** This fleet with a different retention (a replica configured differently restored it). */
  public Fleet withEventRetention(int retention) {
    return new Fleet(revision, clock, machines, machineTypes, scaleUnits, leases, manifests,
        rollouts, budgets, ingests, policies, incidents, decisions, events, retention);
  }
}
