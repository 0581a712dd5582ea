package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestRef;

/**
 * The Device Manager's rules for manifests: registering immutable versions, assigning them to
 * machines, activating one, and taking machines' reports. Pure like {@link FleetStateMachine},
 * which delegates here.
 */
final class ManifestRules {
  /** Most machines one assign/unassign/activate command may name. */
  static final int MAX_MACHINES = 10_000;
  static final int MAX_HELD = 16;
  static final int MAX_APPS = 64;

  private ManifestRules() {}

  static Decision register(Fleet fleet, RegisterManifest c, FleetStateMachine.Events out) {
    Manifest m = c.manifest();
    if (m == null) {
      return Decision.reject(INVALID, "manifest is missing");
    }
    String digest = digest(m);
    ManifestVersion old = fleet.manifests().get(m.ref());
    if (old != null) {
      return old.digest().equals(digest) ? Decision.accept(List.of())
          : Decision.reject(CONFLICT, "manifest " + m.ref() + " is already registered with "
              + "different content (digest " + old.digest().substring(0, 12)
              + "); versions are immutable, give this one a new version");
    }
    return out.one(e -> new ManifestRegistered(e.rev, e.at, e.actor, e.cause,
        new ManifestVersion(m, digest, c.origin(), e.rev, e.at)));
  }

  static Decision assign(Fleet fleet, AssignManifest c, FleetStateMachine.Events out) {
    Targets t = targets(fleet, c.machines(), c.manifest());
    if (t.rejection != null) {
      return t.rejection;
    }
    ManifestVersion v = fleet.manifests().get(c.manifest());
    List<DmEvent> events = new ArrayList<>();
    long rev = out.rev;
    for (Machine m : t.machines) {
      MachineSoftware s = m.software();
      if (s.assigned().contains(c.manifest())) {
        continue;
      }
      String type = v.manifest().machineType();
      if (type != null && m.machineType() != null && !type.equals(m.machineType())) {
        return Decision.reject(INVALID, "manifest " + c.manifest() + " is for machine type "
            + type + ", machine " + m.id() + " is of type " + m.machineType());
      }
      if (s.assigned().size() >= MachineSoftware.MAX_ASSIGNED) {
        return Decision.reject(CONFLICT, "machine " + m.id() + " already has "
            + MachineSoftware.MAX_ASSIGNED + " manifests assigned; unassign one first");
      }
      events.add(new ManifestAssigned(rev++, out.at, out.actor, out.cause, m.id(), c.manifest()));
    }
    return Decision.accept(events);
  }

  static Decision unassign(Fleet fleet, UnassignManifest c, FleetStateMachine.Events out) {
    Targets t = targets(fleet, c.machines(), c.manifest());
    if (t.rejection != null) {
      return t.rejection;
    }
    List<DmEvent> events = new ArrayList<>();
    long rev = out.rev;
    for (Machine m : t.machines) {
      if (c.manifest().equals(m.software().active())) {
        return Decision.reject(CONFLICT, "manifest " + c.manifest() + " is active on machine "
            + m.id() + "; activate another one first");
      }
      if (m.software().assigned().contains(c.manifest())) {
        events.add(new ManifestUnassigned(rev++, out.at, out.actor, out.cause, m.id(),
            c.manifest()));
      }
    }
    return Decision.accept(events);
  }

  static Decision activate(Fleet fleet, ActivateManifest c, FleetStateMachine.Events out) {
    Targets t = targets(fleet, c.machines(), c.manifest());
    if (t.rejection != null) {
      return t.rejection;
    }
    ManifestRef expected = null;
    if (c.expectedActive() != null && !c.expectedActive().isEmpty()) {
      try {
        expected = ManifestRef.parse(c.expectedActive());
      } catch (IllegalArgumentException e) {
        return Decision.reject(INVALID, "expectedActive '" + c.expectedActive() + "': " + e.getMessage());
      }
    }
    List<DmEvent> events = new ArrayList<>();
    long rev = out.rev;
    for (Machine m : t.machines) {
      MachineSoftware s = m.software();
      if (c.expectedActive() != null && !java.util.Objects.equals(expected, s.active())) {
        return Decision.reject(STALE, "machine " + m.id() + " has " + (s.active() == null
            ? "no manifest" : s.active()) + " active, not " + (expected == null ? "none" : expected)
            + " as the sender saw; decide again on a fresh read");
      }
      if (!s.assigned().contains(c.manifest())) {
        return Decision.reject(CONFLICT, "manifest " + c.manifest() + " is not assigned to machine "
            + m.id() + " (assigned: " + s.assigned() + "); assign it first");
      }
      if (!c.manifest().equals(s.active())) {
        events.add(new ManifestActivated(rev++, out.at, out.actor, out.cause, m.id(), s.active(),
            c.manifest()));
      }
    }
    return Decision.accept(events);
  }

  static Decision report(Fleet fleet, ReportSoftware c, FleetStateMachine.Events out) {
    Machine m = fleet.machine(c.machine());
    if (m == null) {
      return Decision.reject(c.machine() == null ? INVALID : NOT_FOUND,
          c.machine() == null ? "machine is missing" : "machine " + c.machine() + " does not exist");
    }
    List<ManifestRef> held = c.held() == null ? List.of() : c.held();
    List<AppStatus> apps = c.apps() == null ? List.of() : c.apps();
    if (held.size() > MAX_HELD || apps.size() > MAX_APPS) {
      return Decision.reject(INVALID, "report of " + m.id() + " names more than " + MAX_HELD
          + " manifests or " + MAX_APPS + " apps");
    }
    List<ManifestRef> unknown = new ArrayList<>();
    for (ManifestRef r : held) {
      if (r == null || !fleet.manifests().containsKey(r)) {
        unknown.add(r);
      }
    }
    if (c.running() != null && !fleet.manifests().containsKey(c.running())) {
      unknown.add(c.running());
    }
    if (!unknown.isEmpty()) {
      return Decision.reject(INVALID, "machine " + m.id() + " reports unknown manifests " + unknown);
    }
    if (apps.stream().anyMatch(Objects::isNull)) {
      return Decision.reject(INVALID, "report of " + m.id() + " has an empty app entry");
    }
    MachineSoftware now = m.software().reported(held, c.running(), apps);
    if (now.equals(m.software())) {
      return Decision.accept(List.of());
    }
    return out.one(e -> new SoftwareReported(e.rev, e.at, e.actor, e.cause, m.id(), now.held(),
        now.running(), now.apps()));
  }

  /** Applies a manifest event; null if {@code event} is not one. */
  static Fleet apply(Fleet f, DmEvent event) {
    if (event instanceof ManifestRegistered e) {
      return f.withManifests(f.manifests().plus(e.manifest().ref(), e.manifest())).record(e, java.util.Map.of());
    } else if (event instanceof ManifestAssigned e) {
      return change(f, e, e.machine(), f.machine(e.machine()).software().assign(e.manifest()));
    } else if (event instanceof ManifestUnassigned e) {
      return change(f, e, e.machine(), f.machine(e.machine()).software().unassign(e.manifest()));
    } else if (event instanceof ManifestActivated e) {
      return change(f, e, e.machine(), f.machine(e.machine()).software().activate(e.to()));
    } else if (event instanceof SoftwareReported e) {
      return change(f, e, e.machine(),
          f.machine(e.machine()).software().reported(e.held(), e.running(), e.apps()));
    }
    return null;
  }

  private static Fleet change(Fleet f, DmEvent e, MachineId id, MachineSoftware to) {
    return f.record(e, java.util.Map.of(id, f.machine(id).withSoftware(to, e.revision())));
  }

  /** SHA-256 of the manifest's canonical JSON (records serialise in declaration order). */
  static String digest(Manifest m) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(Json.mapper().writeValueAsBytes(m)));
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Targets(List<Machine> machines, Decision rejection) {}

  private static Targets targets(Fleet fleet, List<MachineId> ids, ManifestRef ref) {
    if (ref == null) {
      return new Targets(null, Decision.reject(INVALID, "manifest is missing"));
    }
    if (!fleet.manifests().containsKey(ref)) {
      return new Targets(null, Decision.reject(NOT_FOUND, "manifest " + ref + " is not registered"));
    }
    if (ids == null || ids.isEmpty() || ids.size() > MAX_MACHINES) {
      return new Targets(null, Decision.reject(INVALID, "machines must name 1.." + MAX_MACHINES
          + " machines"));
    }
    List<Machine> out = new ArrayList<>(ids.size());
    java.util.Set<MachineId> seen = new java.util.HashSet<>();
    for (MachineId id : ids) {
      Machine m = fleet.machine(id);
      if (m == null) {
        return new Targets(null, Decision.reject(id == null ? INVALID : NOT_FOUND,
            "machine " + id + " does not exist"));
      }
      if (seen.add(id)) {
        out.add(m);
      }
    }
    return new Targets(out, null);
  }
}
