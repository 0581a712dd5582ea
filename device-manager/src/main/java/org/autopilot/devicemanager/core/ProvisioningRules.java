package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import java.util.Map;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.command.ReportProvisioning;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.HostKeyPinned;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.model.*;

/**
 * The DM's part in provisioning: it records the steps the provisioning service's leader reports
 * on each machine, fenced by the {@value #LEASE} lease (a deposed leader's report is refused,
 * so it learns to stop), and stamps them with leader time and the lease epoch. What a step means
 * is the service's business; lifecycle moves go through {@code ChangeState} as always. Pure, like
 * {@link FleetStateMachine}.
 */
final class ProvisioningRules {
  /** The lease the provisioning service's leader holds. */
  static final String LEASE = "provisioning";
  private static final Pattern STEP = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final int MAX_DETAIL = 1000;

  private ProvisioningRules() {}

  static Decision report(Fleet fleet, ReportProvisioning c, FleetStateMachine.Events out) {
    if (c.machine() == null) {
      return Decision.reject(INVALID, "machine is missing");
    }
    Machine m = fleet.machine(c.machine());
    if (m == null) {
      return Decision.reject(NOT_FOUND, "machine " + c.machine() + " does not exist");
    }
    if (c.holder() == null || c.holder().isBlank()) {
      return Decision.reject(INVALID, "holder is missing");
    }
    if (c.step() == null || !STEP.matcher(c.step()).matches()) {
      return Decision.reject(INVALID, "step '" + c.step() + "' must match " + STEP.pattern());
    }
    if (c.detail() != null && c.detail().length() > MAX_DETAIL) {
      return Decision.reject(INVALID, "detail is longer than " + MAX_DETAIL + " characters");
    }
    if (c.expectedVersion() != 0 && c.expectedVersion() != m.version()) {
      return Decision.reject(STALE, "machine " + m.id() + " is at version " + m.version()
          + ", the step was decided on version " + c.expectedVersion());
    }
    if (m.state() == LifecycleState.DECOMMISSIONED) {
      return Decision.reject(ILLEGAL_TRANSITION, "machine " + m.id() + " is Decommissioned");
    }
    Lease lease = fleet.leases().get(LEASE);
    if (lease == null || !lease.holder().equals(c.holder()) || !lease.heldAt(out.at)) {
      return Decision.reject(LEASE_HELD, c.holder() + " does not hold the " + LEASE + " lease"
          + (lease == null ? "" : " (held by " + lease.holder() + ", epoch " + lease.epoch()
              + (lease.heldAt(out.at) ? "" : ", expired") + ")"));
    }
    String detail = c.detail() == null ? "" : c.detail();
    return out.one(e -> new ProvisioningReported(e.rev, e.at, e.actor, e.cause, m.id(),
        new ProvisioningStep(c.step(), detail, e.at, c.holder(), lease.epoch(), e.rev)));
  }

  /** Applies a provisioning event; null if {@code event} is none. */
  static Fleet apply(Fleet f, DmEvent event) {
    if (event instanceof ProvisioningReported e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.withProvisioningStep(e.step(), e.revision())));
    }
    if (event instanceof HostKeyPinned e) {
      Machine m = f.machine(e.machine());
      return f.record(e, Map.of(m.id(), m.withHostKey(e.hostKeyFingerprint(), e.revision())));
    }
    return null;
  }
}
