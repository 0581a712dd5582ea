package org.autopilot.cockpit.action;

import java.time.Duration;
import org.autopilot.cockpit.fleet.CommandSink;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.MarkReplaced;
import org.autopilot.devicemanager.command.ResolveIncident;
import org.autopilot.devicemanager.command.SilenceMachine;
import org.autopilot.devicemanager.command.SteerRollout;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a confirmed operator action into one DM command sent on the operator's behalf: the DM
 * records the actor as {@code <cockpit's principal>/<user>}, so the audit trail names the human.
 * Cockpit decides nothing: the DM accepts or refuses with its reason.
 */
public final class OperatorActions {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorActions.class);
  private final CommandSink sink;

  /** Actions sent to {@code sink}; null: no DM configured, every action is refused. */
  public OperatorActions(CommandSink sink) {
    this.sink = sink;
  }

  /**
   * What became of an action.
   *
   * @param ok accepted by the DM
   * @param message what happened, for the operator
   * @param revision the DM revision of the accepted command, 0 otherwise
   */
  public record Outcome(boolean ok, String message, long revision) {}

  /**
   * Performs {@code kind} on {@code target} for {@code user}.
   *
   * @param duration for {@link ActionKind#SILENCE}: how long ({@code 30m}, {@code 1h}, ...)
   * @param cause the operator's words; "via Cockpit" when blank
   */
  public Outcome perform(String user, ActionKind kind, String target, String duration, String cause) {
    if (sink == null) {
      return new Outcome(false, "no Device Manager configured: nothing was sent", 0);
    }
    String why = cause == null || cause.isBlank() ? "via Cockpit" : cause.strip();
    if (why.length() > 500) {
      return new Outcome(false, "the cause is longer than 500 characters", 0);
    }
    DmCommand command;
    try {
      command = command(kind, target, duration, why);
    } catch (IllegalArgumentException e) {
      return new Outcome(false, e.getMessage(), 0);
    }
    try {
      CommandResult r = sink.send(user, command);
      LOG.info("{} by {} on {}: {}", kind, user, target, r.accepted() ? "accepted at revision "
          + r.revision() : r.code() + " " + r.reason());
      return r.accepted()
          ? new Outcome(true, kind.label() + " " + target + ": done (DM revision " + r.revision()
              + ", recorded as yours)", r.revision())
          : new Outcome(false, kind.label() + " " + target + " refused by the DM: " + r.code() + " — "
              + r.reason(), 0);
    } catch (RuntimeException e) {
      LOG.warn("{} by {} on {} failed: {}", kind, user, target, e.getMessage());
      return new Outcome(false, kind.label() + " " + target + " failed: " + e.getMessage(), 0);
    }
  }

  static DmCommand command(ActionKind kind, String target, String duration, String why) {
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("no " + kind.targetKind() + " given");
    }
    switch (kind) {
      case PAUSE:
        return new SteerRollout(target, SteerRollout.Action.PAUSE, why);
      case RESUME:
        return new SteerRollout(target, SteerRollout.Action.RESUME, why);
      case ABORT:
        return new SteerRollout(target, SteerRollout.Action.ABORT, why);
      case KICK:
        return new SteerRollout(target, SteerRollout.Action.KICK, why);
      case SILENCE: {
        Duration d = Durations.parse(duration == null || duration.isBlank() ? "1h" : duration, "duration");
        if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofDays(30)) > 0) {
          throw new IllegalArgumentException("silence for more than 0 and at most 30d, not " + duration);
        }
        return new SilenceMachine(MachineId.of(target), d.toMillis(), why);
      }
      case UNSILENCE:
        return new SilenceMachine(MachineId.of(target), 0, why);
      case REPLACED:
        return new MarkReplaced(MachineId.of(target), why);
      case RESOLVE:
        try {
          return new ResolveIncident(Long.parseLong(target), why);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("incident '" + target + "' is not a number");
        }
      default:
        throw new AssertionError(kind);
    }
  }
}
