package org.autopilot.cockpit.fleet;

import java.time.Instant;
import java.util.stream.Collectors;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.event.BudgetSet;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.HealthChanged;
import org.autopilot.devicemanager.event.IncidentUpdated;
import org.autopilot.devicemanager.event.LeaseGranted;
import org.autopilot.devicemanager.event.LeaseReleased;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.MachineSilenced;
import org.autopilot.devicemanager.event.ManifestActivated;
import org.autopilot.devicemanager.event.ManifestAssigned;
import org.autopilot.devicemanager.event.ManifestRegistered;
import org.autopilot.devicemanager.event.ManifestUnassigned;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.RepairDecided;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.event.RolloutUpdated;
import org.autopilot.devicemanager.event.SoftwareReported;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.event.WatchdogsReported;

/**
 * One audit-trail event as Cockpit shows it: who changed what, when and why. Kept instead of the
 * event itself, so the mirror's memory does not grow with the size of the events.
 *
 * @param revision the DM revision of the event
 * @param at leader time
 * @param type the event type, e.g. {@code StateChanged}
 * @param actor who caused it: a service, a machine, or {@code <cockpit token>/<human>}
 * @param machine the machine it is about, or null for fleet-wide events
 * @param what the change in words, e.g. {@code Healthy → Probation}
 * @param cause why, as the actor said
 */
public record AuditEntry(long revision, Instant at, String type, String actor, String machine,
    String what, String cause) {

  /** Whether this entry is a lifecycle state change. */
  public boolean stateChange() {
    return "StateChanged".equals(type);
  }

  /** The entry for {@code e}. */
  public static AuditEntry of(DmEvent e) {
    var subject = FleetQueries.subject(e);
    return new AuditEntry(e.revision(), e.at(), e.getClass().getSimpleName(), e.actor(),
        subject == null ? null : subject.value(), describe(e), e.cause());
  }

  /** The change an event made, in a few words. */
  static String describe(DmEvent e) {
    if (e instanceof StateChanged s) {
      return s.from().label() + " → " + s.to().label();
    } else if (e instanceof HealthChanged h) {
      return "health " + h.from().label() + " → " + h.to().label();
    } else if (e instanceof WatchdogsReported w) {
      return "watchdogs " + w.changed().stream().map(s -> s.name() + " " + s.status().label()
          + (s.text() == null || s.text().isEmpty() ? "" : " (" + clip(s.text(), 80) + ")"))
          .collect(Collectors.joining(", ")) + "; health " + w.health().label();
    } else if (e instanceof RepairUpdated r) {
      var p = r.repair();
      return p == null ? "repair cleared" : "repair " + p.id() + " " + p.action().label() + ": "
          + p.status().label() + (p.held() != null ? " (held: " + p.held() + ")" : "")
          + (p.outcome() != null ? " — " + clip(p.outcome(), 120) : "");
    } else if (e instanceof RepairDecided d) {
      return d.kind() + ": " + d.text();
    } else if (e instanceof MachineRegistered r) {
      return "registered at " + r.machine().address() + " as " + r.machine().machineType()
          + " in " + r.machine().scaleUnit();
    } else if (e instanceof MachinePlaced p) {
      return "placed: type " + p.machineType() + ", unit " + p.scaleUnit() + ", rack " + p.rack();
    } else if (e instanceof ManifestAssigned a) {
      return "assigned " + a.manifest();
    } else if (e instanceof ManifestUnassigned u) {
      return "unassigned " + u.manifest();
    } else if (e instanceof ManifestActivated a) {
      return "activated " + a.to() + (a.from() == null ? "" : " (was " + a.from() + ")");
    } else if (e instanceof SoftwareReported s) {
      return "running " + s.running() + ", holds " + s.held() + (s.apps().isEmpty() ? ""
          : ", apps " + s.apps().stream().map(a -> a.name() + ":" + a.state().name().toLowerCase())
              .collect(Collectors.joining(" ")));
    } else if (e instanceof MachineSilenced s) {
      return s.until() == null ? "silence lifted" : "silenced until " + s.until();
    } else if (e instanceof ProvisioningReported p) {
      return "provisioning " + p.step().step() + ": " + clip(p.step().detail(), 160);
    } else if (e instanceof RolloutUpdated r) {
      return "rollout " + r.rollout().to() + " " + r.rollout().status();
    } else if (e instanceof IncidentUpdated i) {
      return "incident " + i.incident().id() + " " + (i.incident().open() ? "open" : "resolved")
          + " (" + i.incident().scope() + ")";
    } else if (e instanceof BudgetSet b) {
      return "budget " + b.scope() + " = " + (b.limit() == null || b.limit().isEmpty() ? "none" : b.limit());
    } else if (e instanceof ManifestRegistered m) {
      return "manifest " + m.manifest().ref() + " registered";
    } else if (e instanceof LeaseGranted l) {
      return "lease " + l.lease().service() + " → " + l.lease().holder() + " (epoch " + l.lease().epoch() + ")";
    } else if (e instanceof LeaseReleased l) {
      return "lease " + l.service() + " released by " + l.holder();
    }
    return e.getClass().getSimpleName();
  }

  private static String clip(String s, int n) {
    return s == null ? "" : s.length() <= n ? s : s.substring(0, n) + "…";
  }
}
