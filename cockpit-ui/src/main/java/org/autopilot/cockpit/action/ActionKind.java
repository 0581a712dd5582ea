package org.autopilot.cockpit.action;

/** What an operator can do from Cockpit; each needs a confirmation and names its target. */
public enum ActionKind {
  /** Stop a rollout moving. Target: machine type. */
  PAUSE("Pause rollout", "type", "Stop the rollout of type %s: nothing moves until it is resumed."),
  /** Let a paused rollout move again. Target: machine type. */
  RESUME("Resume rollout", "type", "Let the paused rollout of type %s move again."),
  /** Stop a rollout and roll it back. Target: machine type. */
  ABORT("Abort rollout", "type", "Abort the rollout of type %s: every machine running the new "
      + "version goes back to the previous one. This cannot be undone."),
  /** Make machines retry pre-loading now. Target: machine type (a machine's page names its type). */
  KICK("Kick", "type", "Kick the rollout of type %s: every machine of the type that does not hold "
      + "the new version yet retries its pre-load at once."),
  /** Errors recorded but not acted on for a while. Target: machine. */
  SILENCE("Silence machine", "machine", "Silence machine %s: its Errors are recorded but neither "
      + "confirmed nor repaired until the silence ends."),
  /** Lift a silence. Target: machine. */
  UNSILENCE("Lift silence", "machine", "Lift the silence of machine %s: its Errors count again."),
  /** New hardware in a machine in Replace. Target: machine. */
  REPLACED("Mark replaced", "machine", "Mark machine %s replaced: a human swapped its hardware; "
      + "it comes back as New with its history cleared, ready for provisioning."),
  /** The common cause of an incident is fixed. Target: incident id. */
  RESOLVE("Resolve incident", "incident", "Resolve incident %s: its common cause is fixed; the "
      + "repairs it held may go out again within the budgets.");

  private final String label;
  private final String targetKind;
  private final String description;

  ActionKind(String label, String targetKind, String description) {
    this.label = label;
    this.targetKind = targetKind;
    this.description = description;
  }

  /** A button's words. */
  public String label() {
    return label;
  }

  /** What the target is: {@code type}, {@code machine} or {@code incident}. */
  public String targetKind() {
    return targetKind;
  }

  /** What confirming does, for the confirmation page. */
  public String describe(String target) {
    return String.format(description, target);
  }

  /** The kind named in a URL ({@code silence}), or null. */
  public static ActionKind parse(String s) {
    for (ActionKind k : values()) {
      if (k.name().equalsIgnoreCase(s)) {
        return k;
      }
    }
    return null;
  }
}
