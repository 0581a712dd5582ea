package org.autopilot.devicemanager.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;

/**
 * The repair of one failure of one machine: the action the DM chose and how far it got. The
 * repair service claims it (the DM moves the machine to Probation, or Replace), marks it started
 * just before acting, and reports how it ended. Claims and reports carry the repair lease's
 * epoch, so a deposed leader cannot start or finish anything.
 *
 * @param id the DM revision at which the action was chosen; names this repair in commands
 * @param action what to do
 * @param reason why this action (the failure and the history that chose the step)
 * @param urgent a fatal error: not held for maintenance windows
 * @param status how far it got
 * @param held why it is not handed out now (budget, window, incident, silence), or null
 * @param holder the repair service replica that claimed it, or null
 * @param epoch the repair lease epoch of that claim, 0 before
 * @param chosenAt when the action was chosen
 * @param claimedAt when it was handed out, or null
 * @param startedAt when the service said it starts acting, or null
 * @param finishedAt when it ended (reported or timed out), or null
 * @param outcome what the service reported, or why the DM closed it
 */
public record Repair(
    long id,
    RepairAction action,
    String reason,
    boolean urgent,
    Status status,
    String held,
    String holder,
    long epoch,
    Instant chosenAt,
    Instant claimedAt,
    Instant startedAt,
    Instant finishedAt,
    String outcome) {

  /** How far a repair got. */
  public enum Status {
    /** Chosen, waiting to be handed out (maybe held). */
    WAITING("Waiting"),
    /** Handed out to a repair service replica, not started yet. */
    CLAIMED("Claimed"),
    /** The service is acting on the machine. */
    STARTED("Started"),
    /** The action completed; the machine is in Probation (or Replace). */
    DONE("Done"),
    /** The action failed or never reported; the machine escalated. */
    FAILED("Failed"),
    /** The machine passed its probation after the action. */
    HEALED("Healed");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    /** The JSON name. */
    @JsonValue
    public String label() {
      return label;
    }

    /** Parses the label or constant name. */
    @JsonCreator
    public static Status parse(String text) {
      for (Status s : values()) {
        if (s.label.equalsIgnoreCase(text) || s.name().equalsIgnoreCase(text)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown repair status '" + text + "'");
    }

    /** Not over: waiting, handed out, or done with the machine in probation. */
    public boolean active() {
      return this == WAITING || this == CLAIMED || this == STARTED || this == DONE;
    }

    /** Handed out and not yet ended. */
    public boolean inFlight() {
      return this == CLAIMED || this == STARTED;
    }
  }

  /** A freshly chosen action. */
  public static Repair chosen(long id, RepairAction action, String reason, boolean urgent, Instant at) {
    return new Repair(id, action, reason, urgent, Status.WAITING, null, null, 0, at, null, null,
        null, null);
  }

  /** This repair held for {@code why} (null: no longer held). */
  public Repair heldFor(String why) {
    return new Repair(id, action, reason, urgent, status, why, holder, epoch, chosenAt, claimedAt,
        startedAt, finishedAt, outcome);
  }

  /** This repair handed out to {@code by} under lease epoch {@code leaseEpoch}. */
  public Repair claimed(String by, long leaseEpoch, Instant at) {
    return new Repair(id, action, reason, urgent, Status.CLAIMED, null, by, leaseEpoch, chosenAt,
        at, null, null, null);
  }

  /** This repair started by its holder. */
  public Repair started(Instant at) {
    return new Repair(id, action, reason, urgent, Status.STARTED, null, holder, epoch, chosenAt,
        claimedAt, at, null, null);
  }

  /** This repair's machine passed its probation. */
  public Repair healed(Instant at) {
    return new Repair(id, action, reason, urgent, Status.HEALED, null, holder, epoch, chosenAt,
        claimedAt, startedAt, finishedAt == null ? at : finishedAt, outcome);
  }

  /** This waiting repair was not needed after all: the machine recovered by itself. */
  public Repair cancelled(String why, Instant at) {
    return new Repair(id, action, reason, urgent, Status.HEALED, null, holder, epoch, chosenAt,
        claimedAt, startedAt, at, why);
  }

  /** Whether this repair is not over yet (see {@link Status#active()}). */
  public boolean active() {
    return status.active();
  }

  /** This repair ended. */
  public Repair ended(boolean ok, String how, Instant at) {
    return new Repair(id, action, reason, urgent, ok ? Status.DONE : Status.FAILED, null, holder,
        epoch, chosenAt, claimedAt, startedAt, at, how);
  }
}
