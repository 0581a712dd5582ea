package org.autopilot.devicemanager.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.model.*;
import org.autopilot.manifests.ManifestRef;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The whole fleet as a plain JSON document, for Raft snapshots and backups.
 *
 * @param format snapshot format, {@link #FORMAT}
 * @param revision the fleet revision
 * @param clock the fleet clock
 * @param eventRetention audit trail size
 * @param machines every machine
 * @param machineTypes every machine type
 * @param scaleUnits every scale unit
 * @param leases every lease
 * @param manifests every registered manifest version
 * @param rollouts the latest rollout of each machine type
 * @param budgets every disruption budget
 * @param ingests every manifest source's ingest status
 * @param policies health policies, by scope
 * @param incidents every incident
 * @param decisions the retained decision log, oldest first
 * @param events the retained audit trail, oldest first
 */
public record FleetSnapshot(
    int format,
    long revision,
    Instant clock,
    int eventRetention,
    List<Machine> machines,
    List<MachineType> machineTypes,
    List<ScaleUnit> scaleUnits,
    List<Lease> leases,
    List<ManifestVersion> manifests,
    List<Rollout> rollouts,
    List<Budget> budgets,
    List<IngestStatus> ingests,
    java.util.Map<String, HealthPolicy> policies,
    List<Incident> incidents,
    List<RepairDecision> decisions,
    List<DmEvent> events) {
  /** The format written by this version. */
  public static final int FORMAT = 1;

  /** Captures a fleet. */
  public static FleetSnapshot of(Fleet f) {
    return new FleetSnapshot(FORMAT, f.revision(), f.clock(), f.eventRetention(),
        new ArrayList<>(f.machines().values()), new ArrayList<>(f.machineTypes().values()),
        new ArrayList<>(f.scaleUnits().values()), new ArrayList<>(f.leases().values()),
        new ArrayList<>(f.manifests().values()), new ArrayList<>(f.rollouts().values()),
        new ArrayList<>(f.budgets().values()), new ArrayList<>(f.ingests().values()),
        new java.util.TreeMap<>(f.policies()), new ArrayList<>(f.incidents().values()),
        new ArrayList<>(f.decisions().values()), new ArrayList<>(f.events().values()));
  }

  /** Rebuilds the fleet this snapshot captured. */
  public Fleet toFleet() {
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown snapshot format " + format);
    }
    PSortedMap<String, HealthPolicy> ps = TreePMap.empty();
    if (policies != null) {
      ps = ps.plusAll(policies);
    }
    return new Fleet(revision, clock, index(machines, Machine::id),
        index(machineTypes, MachineType::name), index(scaleUnits, ScaleUnit::name),
        index(leases, Lease::service), index(manifests, ManifestVersion::ref),
        index(rollouts, Rollout::machineType), index(budgets, Budget::scope),
        index(ingests, IngestStatus::source), ps, index(incidents, Incident::id),
        index(decisions, RepairDecision::revision), index(events, DmEvent::revision),
        eventRetention);
  }

  private static <K extends Comparable<K>, V> PSortedMap<K, V> index(List<V> values,
      java.util.function.Function<V, K> key) {
    PSortedMap<K, V> out = TreePMap.empty();
    for (V v : values == null ? List.<V>of() : values) {
      out = out.plus(key.apply(v), v);
    }
    return out;
  }

  /** Writes a fleet as JSON. */
  public static void write(Fleet fleet, OutputStream out) throws IOException {
    Json.mapper().writeValue(out, of(fleet));
  }

  /** Reads a fleet written by {@link #write}. */
  public static Fleet read(InputStream in) throws IOException {
    return Json.mapper().readValue(in, FleetSnapshot.class).toFleet();
  }
}
