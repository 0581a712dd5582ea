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
        new ArrayList<>(f.events().values()));
  }

  /** Rebuilds the fleet this snapshot captured. */
  public Fleet toFleet() {
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown snapshot format " + format);
    }
    PSortedMap<MachineId, Machine> ms = TreePMap.empty();
    for (Machine m : machines) {
      ms = ms.plus(m.id(), m);
    }
    PSortedMap<String, MachineType> ts = TreePMap.empty();
    for (MachineType t : machineTypes) {
      ts = ts.plus(t.name(), t);
    }
    PSortedMap<String, ScaleUnit> us = TreePMap.empty();
    for (ScaleUnit u : scaleUnits) {
      us = us.plus(u.name(), u);
    }
    PSortedMap<String, Lease> ls = TreePMap.empty();
    for (Lease l : leases) {
      ls = ls.plus(l.service(), l);
    }
    PSortedMap<ManifestRef, ManifestVersion> mv = TreePMap.empty();
    for (ManifestVersion v : manifests == null ? List.<ManifestVersion>of() : manifests) {
      mv = mv.plus(v.ref(), v);
    }
    PSortedMap<String, Rollout> ro = TreePMap.empty();
    for (Rollout r : rollouts == null ? List.<Rollout>of() : rollouts) {
      ro = ro.plus(r.machineType(), r);
    }
    PSortedMap<String, Budget> bu = TreePMap.empty();
    for (Budget b : budgets == null ? List.<Budget>of() : budgets) {
      bu = bu.plus(b.scope(), b);
    }
    PSortedMap<String, IngestStatus> in = TreePMap.empty();
    for (IngestStatus i : ingests == null ? List.<IngestStatus>of() : ingests) {
      in = in.plus(i.source(), i);
    }
    PSortedMap<Long, DmEvent> es = TreePMap.empty();
    for (DmEvent e : events) {
      es = es.plus(e.revision(), e);
    }
    return new Fleet(revision, clock, ms, ts, us, ls, mv, ro, bu, in, es, eventRetention);
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
