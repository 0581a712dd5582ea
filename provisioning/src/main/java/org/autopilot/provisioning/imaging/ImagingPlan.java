package org.autopilot.provisioning.imaging;

import java.time.Duration;
import java.time.Instant;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.manifests.Durations;
import org.autopilot.provisioning.ImagingSettings;

/**
 * The next imaging step for one machine, decided without I/O from what the DM recorded (state,
 * the provisioning steps of the current round) and what the machine shows ({@link Probe}).
 * Level-based: the same inputs give the same step, so a new leader picks up where a dead one
 * stopped. A round starts from a clean disk (its first step is a reimage, whatever the machine
 * shows from before: replaced hardware, a failed round); within the round, what the machine
 * already shows (its image marker after the recorded reimage, its unpacked image, its agent
 * configuration) is never done twice. Every way of failing is counted against
 * {@code attempts} per round; the round fails when they are spent.
 */
public final class ImagingPlan {
  /** What to do. */
  public enum Kind {
    /** Nothing now, with why (no type, no image, host key mismatch, waiting to retry). */
    HOLD,
    /** Start a round: record {@code begin}, move New → Provisioning. */
    BEGIN,
    /** Move New → Provisioning in the round already begun. */
    START,
    /** Wait for the machine (rebooting, its agent starting). */
    WAIT,
    /** Record {@code reimage}, send the reimage command. */
    REIMAGE,
    /** Fetch, verify, unpack; record {@code installed}. */
    INSTALL,
    /** Write the agent configuration; record {@code configured}. */
    CONFIGURE,
    /** Record {@code restart}, send the restart command. */
    RESTART,
    /** Record an {@code attempt-failed} with the detail. */
    ATTEMPT_FAILED,
    /** Record {@code failed}, move Provisioning → New with the detail as cause. */
    FAIL,
    /** Record {@code agent-up}, move Provisioning → BurnIn. */
    DONE
  }

  /**
   * One decision.
   *
   * @param kind what to do
   * @param detail why, for the DM's record and logs
   */
  public record Step(Kind kind, String detail) {}

  private ImagingPlan() {}

  /**
   * The next step for {@code m} (New or Provisioning).
   *
   * @param image its type's image, or null if the type has none (or it has no type)
   * @param probe what the machine shows
   * @param agentUp whether its agent reported a heartbeat after the round's last restart
   * @param configSha256 the hex SHA-256 of the agent configuration it should have
   * @param now the time to judge waits by
   */
  public static Step next(Machine m, String image, Probe probe, boolean agentUp, String configSha256,
      Instant now, ImagingSettings s) {
    Round round = new Round(m.provisioning());
    if (m.state() == LifecycleState.NEW) {
      return fresh(m, image, probe, round, now, s);
    }
    if (m.state() != LifecycleState.PROVISIONING) {
      return new Step(Kind.HOLD, "in " + m.state().label());
    }
    if (round.current().isEmpty()) {
      return new Step(Kind.HOLD, "in Provisioning without a round begun by provisioning (moved by hand?)");
    }
    if (image == null) {
      return new Step(Kind.FAIL, "its type " + m.machineType() + " has no image any more");
    }
    int failures = round.count(Round.ATTEMPT_FAILED);
    if (failures >= s.attempts()) {
      return new Step(Kind.FAIL, failures + " attempts failed; the last: "
          + round.last(Round.ATTEMPT_FAILED).detail());
    }
    if (!probe.reachable()) {
      if (probe.hostKeyMismatch()) {
        return new Step(Kind.FAIL, probe.problem());
      }
      ProvisioningStep since = round.latestOf(Round.BEGIN, Round.REIMAGE, Round.RESTART, Round.ATTEMPT_FAILED,
          Round.INSTALLED, Round.CONFIGURED);
      if (now.isBefore(since.at().plus(s.bootTimeout()))) {
        return new Step(Kind.WAIT, "unreachable since " + since.step() + ": " + probe.problem());
      }
      return new Step(Kind.ATTEMPT_FAILED, "unreachable for " + Durations.format(s.bootTimeout())
          + " after " + since.step() + ": " + probe.problem());
    }
    ProvisioningStep reimage = round.last(Round.REIMAGE);
    if (reimage == null) {
      return new Step(Kind.REIMAGE, "reimage with " + image + (probe.marker().equals(image)
          ? " (it shows that image, but a round starts from a clean disk)" : ""));
    }
    if (!probe.marker().equals(image)) {
      if (now.isBefore(reimage.at().plus(s.bootTimeout()))) {
        return new Step(Kind.WAIT, "reimage sent at " + reimage.at() + "; waiting for the machine to"
            + " come back with " + image);
      }
      if (round.count(Round.REIMAGE) >= s.attempts()) {
        return new Step(Kind.FAIL, "the machine did not come back with image " + image + " after "
            + round.count(Round.REIMAGE) + " reimages (it shows '" + probe.marker() + "')");
      }
      return new Step(Kind.REIMAGE, "reimage again: the machine shows '" + probe.marker() + "' "
          + Durations.format(s.bootTimeout()) + " after the last one");
    }
    if (!probe.installed().equals(image)) {
      return new Step(Kind.INSTALL, "fetch, verify and unpack " + image);
    }
    if (!probe.configSha256().equals(configSha256)) {
      return new Step(Kind.CONFIGURE, probe.configSha256().isEmpty() ? "install the agent configuration"
          : "replace the agent configuration (it differs)");
    }
    ProvisioningStep restart = round.last(Round.RESTART);
    ProvisioningStep configured = round.last(Round.CONFIGURED);
    if (restart == null || configured != null && configured.revision() > restart.revision()) {
      return new Step(Kind.RESTART, "restart so the agent comes up with its configuration");
    }
    if (agentUp) {
      return new Step(Kind.DONE, "image " + image + " installed; the agent reported after the restart");
    }
    if (now.isBefore(restart.at().plus(s.agentTimeout()))) {
      return new Step(Kind.WAIT, "restarted at " + restart.at() + "; waiting for the agent's first report");
    }
    if (round.count(Round.RESTART) >= s.attempts()) {
      return new Step(Kind.FAIL, "the agent did not report within " + Durations.format(s.agentTimeout())
          + " of any of " + round.count(Round.RESTART) + " restarts");
    }
    return new Step(Kind.RESTART, "restart again: no report from the agent within "
        + Durations.format(s.agentTimeout()));
  }

  private static Step fresh(Machine m, String image, Probe probe, Round round, Instant now, ImagingSettings s) {
    if (m.machineType() == null) {
      return new Step(Kind.HOLD, "no machine type yet (no rule matches it)");
    }
    if (image == null) {
      return new Step(Kind.HOLD, "its type " + m.machineType() + " has no image");
    }
    if (!probe.reachable()) {
      return new Step(Kind.HOLD, probe.problem());
    }
    ProvisioningStep latest = round.latest();
    if (latest != null && latest.step().equals(Round.BEGIN)) {
      return new Step(Kind.START, "round begun at " + latest.at());
    }
    int failed = round.failedRounds();
    if (failed > 0 && latest != null) {
      long factor = 1L << Math.min(failed - 1, 20);
      Duration wait = s.retryAfter().multipliedBy(factor);
      if (wait.compareTo(Duration.ofDays(1)) > 0) {
        wait = Duration.ofDays(1);
      }
      Instant at = latest.at().plus(wait);
      if (now.isBefore(at)) {
        return new Step(Kind.HOLD, failed + " round" + (failed == 1 ? "" : "s") + " failed; the next not before "
            + at);
      }
    }
    return new Step(Kind.BEGIN, "image " + image + " for type " + m.machineType());
  }
}
