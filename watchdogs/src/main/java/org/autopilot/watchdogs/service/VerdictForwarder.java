package org.autopilot.watchdogs.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.watchdogs.service.FleetVerdicts.Telling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the DM has not heard yet, as {@link ReportWatchdogs} commands of at most 5,000
 * machines and about 768 KiB each (the DM takes 1 MiB per request). A machine the DM says does
 * not exist is dropped and the rest sent again at once, so one unknown machine never holds up
 * the others; an entry the DM finds invalid is logged and given up the same way. When the DM
 * cannot be reached, everything stays queued and is sent again later (the DM ignores a verdict
 * it already has, so a resend after an unknown outcome does no harm).
 */
final class VerdictForwarder {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictForwarder.class);
  /** Rough JSON bytes per command, below the DM's 1 MiB request limit. */
  static final int MAX_COMMAND_BYTES = 768 * 1024;
  private static final Pattern ENTRY = Pattern.compile("^report (\\d+)\\b");

  private final DmClient dm;
  private final String cause;
  final AtomicLong commands = new AtomicLong();
  final AtomicLong verdicts = new AtomicLong();
  final AtomicLong refusedEntries = new AtomicLong();
  final AtomicLong failures = new AtomicLong();

  VerdictForwarder(DmClient dm, String cause) {
    this.dm = dm;
    this.cause = cause;
  }

  /**
   * Sends everything queued in {@code fleet}; false if the DM could not be reached (the rest
   * stays queued).
   */
  boolean flush(FleetVerdicts fleet) {
    while (true) {
      List<Telling> batch = fleet.drain(ReportWatchdogs.MAX_MACHINES, MAX_COMMAND_BYTES);
      if (batch.isEmpty()) {
        return true;
      }
      if (!send(fleet, batch)) {
        return false;
      }
      if (batch.size() < ReportWatchdogs.MAX_MACHINES) {
        return true;
      }
    }
  }

  /** Sends one batch, dropping refused entries and resending the rest; false if the DM is out of reach. */
  private boolean send(FleetVerdicts fleet, List<Telling> batch) {
    List<Telling> left = new ArrayList<>(batch);
    while (!left.isEmpty()) {
      List<MachineReport> reports = new ArrayList<>(left.size());
      for (Telling t : left) {
        reports.add(new MachineReport(t.machine(), t.verdicts()));
      }
      CommandResult r;
      try {
        r = dm.send(new ReportWatchdogs(reports, cause));
      } catch (DmClientException e) {
        failures.incrementAndGet();
        LOG.warn("cannot send {} machines' verdicts to the DM, keeping them: {}", left.size(), e.getMessage());
        left.forEach(fleet::retry);
        return false;
      }
      if (r.accepted()) {
        commands.incrementAndGet();
        for (Telling t : left) {
          verdicts.addAndGet(t.verdicts().size());
          fleet.told(t);
        }
        return true;
      }
      Matcher m = r.reason() == null ? null : ENTRY.matcher(r.reason());
      int bad = m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
      if (bad < 0 || bad >= left.size()) {
        LOG.error("DM refused a watchdog report of {} machines without naming an entry ({} {}); "
            + "giving these verdicts up", left.size(), r.code(), r.reason());
        refusedEntries.addAndGet(left.size());
        left.forEach(fleet::told);
        return true;
      }
      Telling t = left.remove(bad);
      refusedEntries.incrementAndGet();
      if (r.code() == Rejection.NOT_FOUND) {
        LOG.info("{} is not registered in the DM; dropped: {}", t.machine(), r.reason());
        fleet.forget(t.machine());
      } else {
        LOG.warn("DM refused the verdicts of {} ({}: {}); giving them up", t.machine(), r.code(), r.reason());
        fleet.told(t);
      }
    }
    return true;
  }
}
