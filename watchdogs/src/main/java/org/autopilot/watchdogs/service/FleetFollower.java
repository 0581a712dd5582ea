package org.autopilot.watchdogs.service;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.api.FleetQueries.EventPage;
import org.autopilot.devicemanager.api.FleetQueries.Page;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.HealthPolicySet;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.MachineReplaced;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Keeps a term's picture of the fleet in step with the DM: reads every machine once (at the
 * start of a term), then follows the audit trail and re-reads only the machines whose
 * registration, state, placement or watchdogs someone else changed, and the policies when one
 * is set. A gap in the trail (events dropped by retention) or a flood of changes means reading
 * everything again. Listing 50,000 machines every few seconds would cost more than the intake.
 */
final class FleetFollower {
  /** More machines touched than this in one round: read everything instead. */
  static final int REREAD_ALL_ABOVE = 2000;
  private final DmClient dm;
  private final String ourCause;

  FleetFollower(DmClient dm, String ourCause) {
    this.dm = dm;
    this.ourCause = ourCause;
  }

  /** Reads policies and every machine into {@code fleet}; the revision to follow from. */
  long readAll(FleetVerdicts fleet) {
    fleet.policies(dm.policies());
    long from = -1;
    String after = null;
    do {
      Page<Machine> p = dm.machines(Map.of(), after, 5000);
      from = from < 0 ? p.index() : from;
      p.items().forEach(fleet::learn);
      after = p.next();
    } while (after != null);
    return from;
  }

  /** Takes in what changed after revision {@code index}; the revision it has now followed to. */
  long follow(FleetVerdicts fleet, long index) {
    Set<MachineId> touched = new LinkedHashSet<>();
    boolean policies = false;
    long at = index;
    while (true) {
      EventPage page = dm.events(at, 5000);
      boolean gap = page.items().isEmpty() ? page.index() > at
          : page.items().get(0).revision() != at + 1;
      if (gap) {
        return readAll(fleet);
      }
      for (DmEvent e : page.items()) {
        at = e.revision();
        if (e instanceof HealthPolicySet) {
          policies = true;
        } else if (e instanceof MachineRegistered || e instanceof StateChanged
            || e instanceof MachinePlaced || e instanceof MachineReplaced
            || e instanceof WatchdogsReported w && !ourCause.equals(w.cause())) {
          touched.add(FleetQueries.subject(e));
        }
      }
      if (touched.size() > REREAD_ALL_ABOVE) {
        return readAll(fleet);
      }
      if (page.next() == null) {
        break;
      }
    }
    if (policies) {
      fleet.policies(dm.policies());
    }
    for (MachineId id : touched) {
      dm.machine(id).ifPresent(fleet::learn);
    }
    return at;
  }
}
