package org.autopilot.devicemanager.command;

/**
 * An operator's hand on a rollout.
 *
 * @param machineType the type whose rollout it is
 * @param action what to do
 * @param cause why (recorded with the operator's name)
 */
public record SteerRollout(String machineType, Action action, String cause) implements DmCommand {
  /** What an operator can do to a rollout. */
  public enum Action {
    /** Stop moving (a running rollout). */
    PAUSE,
    /** Move again (a paused rollout). */
    RESUME,
    /** Stop and send every machine running the new version back to the previous one. */
    ABORT,
    /** Ask machines that do not hold the new version yet to retry pre-loading now. */
    KICK
  }
}
