package org.autopilot.provisioning.burnin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.manifests.Durations;
import org.autopilot.provisioning.BurnInSettings;

/**
 * Judges a machine in BurnIn without I/O: it fails at the first Error of any of its watchdogs
 * (as the DM records them now, or as the audit trail shows them since imaging ended, so an Error
 * that came and went between two looks counts too); it passes once it has been in BurnIn for the
 * configured duration with every required watchdog reporting OK or Warning. Unknown is neither:
 * a required watchdog that is Unknown at the end has not shown the machine is sound.
 */
public final class BurnInPlan {
  /** What to do. */
  public enum Kind {
    /** Keep watching. */
    WAIT,
    /** Record {@code burned-in}, move BurnIn → Healthy. */
    PASS,
    /** Record {@code burn-in-failed}, move BurnIn → Failure with the detail as cause. */
    FAIL
  }

  /**
   * One decision.
   *
   * @param kind what to do
   * @param detail why
   */
  public record Step(Kind kind, String detail) {}

  private BurnInPlan() {}

  /**
   * The next step for {@code m} (in BurnIn).
   *
   * @param errorsInTrail Errors its watchdogs reported since imaging ended, as {@code name: text}
   * @param now the time to judge the duration by
   */
  public static Step next(Machine m, List<String> errorsInTrail, Instant now, BurnInSettings s) {
    for (WatchdogState w : m.watchdogs().values()) {
      if (w.status() == Health.ERROR && !s.ignore().contains(w.name())) {
        return new Step(Kind.FAIL, "burn-in failed: " + w.name() + ": " + w.text());
      }
    }
    for (String e : errorsInTrail) {
      String name = e.substring(0, Math.max(0, e.indexOf(':')));
      if (!s.ignore().contains(name)) {
        return new Step(Kind.FAIL, "burn-in failed: " + e + " (reported during burn-in)");
      }
    }
    Instant end = m.stateSince().plus(s.duration());
    if (now.isBefore(end)) {
      return new Step(Kind.WAIT, "burn-in until " + end);
    }
    List<String> missing = new ArrayList<>();
    for (String r : s.require()) {
      WatchdogState w = m.watchdogs().get(r);
      if (w == null || w.status() != Health.OK && w.status() != Health.WARNING) {
        missing.add(r + (w == null ? " (never reported)" : " (" + w.status().name() + ": " + w.text() + ")"));
      }
    }
    if (!missing.isEmpty()) {
      return new Step(Kind.FAIL, "burn-in failed: after " + Durations.format(s.duration())
          + " these watchdogs have not shown the machine sound: " + String.join(", ", missing));
    }
    return new Step(Kind.PASS, "no Error for " + Durations.format(s.duration()) + "; "
        + (s.require().isEmpty() ? "no watchdogs required" : String.join(", ", s.require()) + " sound"));
  }
}
