package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.command.PinHostKey;
import org.autopilot.devicemanager.command.ReportHostKeyChange;
import org.autopilot.devicemanager.event.HostKeyPinned;
import org.autopilot.devicemanager.event.IncidentUpdated;
import org.autopilot.devicemanager.event.RepairDecided;
import org.autopilot.devicemanager.model.*;

/**
 * Pinned SSH host keys and what happens when a machine presents another one. A satellite that
 * meets a changed key reports it ({@link ReportHostKeyChange}); the DM opens an incident scoped
 * to the machine ({@code machine:<id>}) and automation stops there: its repairs are held (the
 * health rules hold every repair of a machine with an open machine-scoped incident) and state
 * moves are refused. An operator ends it by pinning the key the machine now presents
 * ({@link PinHostKey}, which resolves the incident) or by resolving the incident (the pinned key
 * stays trusted). Pure, like {@link FleetStateMachine}.
 */
final class HostKeyRules {
  /** OpenSSH's fingerprint notation: {@code SHA256:} and unpadded base64 (or MD5 hex pairs). */
  static final Pattern FINGERPRINT =
      Pattern.compile("SHA256:[A-Za-z0-9+/]{43}|MD5(:[0-9a-f]{2}){16}");
  /** The incident scope prefix of incidents about one machine. */
  static final String MACHINE_SCOPE = "machine:";

  private HostKeyRules() {}

  /** The open incident scoped to machine {@code id}, or null. */
  static Incident openIncident(Fleet fleet, MachineId id) {
    String scope = MACHINE_SCOPE + id.value();
    for (Incident i : fleet.incidents().values()) {
      if (i.open() && i.scope().equals(scope)) {
        return i;
      }
    }
    return null;
  }

  /** Why automation may not move {@code m} now, or null. */
  static String stopped(Fleet fleet, Machine m) {
    Incident i = openIncident(fleet, m.id());
    return i == null ? null : "automation is stopped on " + m.id() + ": incident " + i.id() + " ("
        + i.reason() + "); pin the key it presents (autopilot machines pin-key) or resolve the "
        + "incident first";
  }

  static Decision report(Fleet fleet, ReportHostKeyChange c, FleetStateMachine.Events out) {
    Machine m = c.machine() == null ? null : fleet.machine(c.machine());
    Decision missing = FleetStateMachine.checkTarget(c.machine(), m, 0);
    if (missing != null) {
      return missing;
    }
    String bad = badKey("presentedFingerprint", c.presentedFingerprint());
    if (bad != null) {
      return Decision.reject(INVALID, bad);
    }
    if (c.presentedFingerprint().equals(m.hostKeyFingerprint())) {
      return Decision.reject(STALE, "machine " + m.id() + " has " + c.presentedFingerprint()
          + " pinned already; the report is older than the pin");
    }
    if (c.cause() != null && c.cause().length() > 1000) {
      return Decision.reject(INVALID, "cause is longer than 1000 characters");
    }
    if (openIncident(fleet, m.id()) != null || m.state() == LifecycleState.DECOMMISSIONED) {
      return Decision.accept(List.of());
    }
    String reason = "host key of " + m.id() + " changed: pinned " + m.hostKeyFingerprint()
        + ", presented " + c.presentedFingerprint() + " (seen by " + out.actor
        + (out.cause.isEmpty() ? "" : ": " + out.cause) + "); automation stopped on it until an "
        + "operator pins the new key or resolves this incident";
    long id = out.rev;
    Incident inc = new Incident(id, MACHINE_SCOPE + m.id().value(), reason, List.of(m.id()), out.at,
        null, null, id);
    return HealthRules.withIncidents(fleet, out, o -> {
      o.add(rev -> new IncidentUpdated(rev, o.at, o.actor, o.cause, inc));
      o.add(rev -> new RepairDecided(rev, o.at, o.actor, o.cause, m.id(), inc.scope(), "incident",
          "incident " + id + " opened: " + reason));
    }, Map.of(id, inc));
  }

  /**
   * An operator pins another host key: on a machine in New (after MarkReplaced, or before it is
   * provisioned), or on any machine whose changed key opened an incident, which the pin resolves.
   * Refused for a key another machine holds (one key is one machine) and a malformed one; the
   * same key again changes nothing (but resolves such an incident: the old key is right).
   */
  static Decision pin(Fleet fleet, PinHostKey c, FleetStateMachine.Events out) {
    Machine m = c.machine() == null ? null : fleet.machine(c.machine());
    Decision refused = FleetStateMachine.checkTarget(c.machine(), m, c.expectedVersion());
    if (refused != null) {
      return refused;
    }
    String bad = badKey("hostKeyFingerprint", c.hostKeyFingerprint());
    if (bad != null) {
      return Decision.reject(INVALID, bad);
    }
    String key = c.hostKeyFingerprint();
    Incident incident = openIncident(fleet, m.id());
    if (m.state() != LifecycleState.NEW && incident == null) {
      return Decision.reject(ILLEGAL_TRANSITION, "machine " + m.id() + " is " + m.state().label()
          + "; a host key is pinned again only on a machine in New (after MarkReplaced, or "
          + "before it is provisioned) or on one whose changed key opened an incident");
    }
    for (Machine other : fleet.machines().values()) {
      if (!other.id().equals(m.id()) && key.equals(other.hostKeyFingerprint())) {
        return Decision.reject(CONFLICT, "host key " + key + " is pinned to machine " + other.id()
            + "; one host key is one machine");
      }
    }
    if (incident == null && key.equals(m.hostKeyFingerprint())) {
      return Decision.accept(List.of());
    }
    Map<Long, Incident> resolved = new HashMap<>();
    if (incident != null) {
      resolved.put(incident.id(), null);
    }
    return HealthRules.withIncidents(fleet, out, o -> {
      if (!key.equals(m.hostKeyFingerprint())) {
        o.add(rev -> new HostKeyPinned(rev, o.at, o.actor, o.cause, m.id(), m.hostKeyFingerprint(), key));
      }
      if (incident != null) {
        o.add(rev -> new IncidentUpdated(rev, o.at, o.actor, o.cause, new Incident(incident.id(),
            incident.scope(), incident.reason(), incident.machines(), incident.openedAt(), o.at,
            o.actor, rev)));
        o.add(rev -> new RepairDecided(rev, o.at, o.actor, o.cause, m.id(), incident.scope(),
            "incident", "incident " + incident.id() + " resolved by " + o.actor + ": " + key
            + " pinned; automation resumes on " + m.id()));
      }
    }, resolved);
  }

  private static String badKey(String field, String key) {
    return key != null && FINGERPRINT.matcher(key).matches() ? null : field + " '"
        + (key == null ? "" : key.length() > 80 ? key.substring(0, 80) + "..." : key)
        + "' is not a fingerprint like SHA256:<base64>";
  }
}
