package org.autopilot.appmanager;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogRunner;
import org.autopilot.watchdogs.WatchdogVerdict;

/**
 * Sends a machine's watchdog rounds to the DM as {@link ReportWatchdogs} about itself, but only
 * what the DM needs: a verdict goes out when it differs from the last one the DM accepted (new
 * status or text, or an Error whose count grew, up to {@value #COUNT_CAP}, the most any policy
 * confirms on); every {@code keepAlive} the whole round goes out anyway, so a DM that lost the
 * machine's watchdogs has them back soon. A watchdog that stopped running (its script removed)
 * is reported once as Unknown so its last verdict does not linger. What was not accepted is
 * sent again next round. Used when no watchdog service is configured.
 */
final class DirectWatchdogReporter implements WatchdogRunner.Sink {
  /** An Error's count stops mattering here: no policy confirms on more reports. */
  static final int COUNT_CAP = 16;
  /** How often the whole round is sent even when nothing changed. */
  static final Duration KEEP_ALIVE = Duration.ofSeconds(60);
  
  private final MachineId id;
  private final DmClient dm;
  private final AgentFaults faults;
  private final Duration keepAlive;
  private final Map<String, Verdict> accepted = new LinkedHashMap<>();
  private Instant lastAccepted;
  private final ReportLog log;

  DirectWatchdogReporter(MachineId id, DmClient dm, AgentFaults faults, Duration keepAlive) {
    this.id = id;
    this.dm = dm;
    this.faults = faults;
    this.keepAlive = keepAlive;
    this.log = new ReportLog(id.value());
  }

  @Override
  public synchronized void accept(WatchdogRound round) {
    List<Verdict> all = new ArrayList<>();
    List<Verdict> changed = new ArrayList<>();
    for (WatchdogVerdict w : round.verdicts()) {
      Verdict v = w.toDm();
      all.add(v);
      if (changed(accepted.get(v.watchdog()), v)) {
        changed.add(v);
      }
    }
    List<String> gone = accepted.keySet().stream()
        .filter(name -> round.verdict(name) == null).toList();
    for (String name : gone) {
      Verdict v = new Verdict(name, Health.UNKNOWN, "no longer runs on this machine", 1);
      all.add(v);
      changed.add(v);
    }
    boolean due = lastAccepted == null || !round.at().isBefore(lastAccepted.plus(keepAlive));
    if (changed.isEmpty() && !due) {
      return;
    }
    send(due ? all : changed, gone, round.at());
  }

  /** Whether a verdict differs from what the DM accepted in a way that matters to it. */
  static boolean changed(Verdict before, Verdict now) {
    return before == null || before.status() != now.status() || !before.text().equals(now.text())
        || now.status() == Health.ERROR && now.consecutive() > before.consecutive()
            && before.consecutive() < COUNT_CAP;
  }

  private void send(List<Verdict> verdicts, List<String> gone, Instant at) {
    if (faults.lostHeartbeat()) {
      return;
    }
    try {
      faults.network();
      CommandResult r = dm.send(new ReportWatchdogs(List.of(new MachineReport(id, verdicts)),
          "watchdogs of " + id));
      if (!r.accepted()) {
        log.failed("watchdog report refused: " + r.code() + " " + r.reason());
        return;
      }
      verdicts.forEach(v -> accepted.put(v.watchdog(), v));
      gone.forEach(accepted::remove);
      lastAccepted = at;
      log.taken();
    } catch (Exception e) {
      log.failed("watchdog report: " + e.getMessage());
    }
  }

  /** How many reports were taken. */
  int sent() {
    return log.sent();
  }

  /** Why the last report was not taken, or empty. */
  String lastError() {
    return log.lastError();
  }
}
