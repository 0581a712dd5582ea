package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Watchdog verdicts about one or more machines, in one batch. The watchdog service sends what
 * changed (a new status or text; while in Error, the growing count); a machine may send its
 * own. Rejected whole when any entry is malformed, naming it.
 *
 * @param reports one entry per machine, at most {@link #MAX_MACHINES}
 * @param cause why (e.g. {@code watchdog service wd-1})
 */
public record ReportWatchdogs(List<MachineReport> reports, String cause) implements DmCommand {
  /** The most machines in one command. */
  public static final int MAX_MACHINES = 5000;
  /** The most watchdogs per machine in one report. */
  public static final int MAX_WATCHDOGS = 64;

  /**
   * The verdicts about one machine.
   *
   * @param machine the machine
   * @param watchdogs one verdict per watchdog named
   */
  public record MachineReport(MachineId machine, List<Verdict> watchdogs) {}

  /**
   * One watchdog's verdict.
   *
   * @param watchdog its name, {@code [A-Za-z0-9_.:-]{1,64}}
   * @param status OK, Warning, Error or Unknown
   * @param text the first line of its output, at most 512 characters
   * @param consecutive how many consecutive runs gave this status (at least 1)
   */
  public record Verdict(String watchdog, Health status, String text, int consecutive) {}
}
