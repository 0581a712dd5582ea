package org.autopilot.devicemanager.core;

import java.util.List;
import org.autopilot.devicemanager.event.DmEvent;

/** The outcome of deciding one command: events to apply, or a reasoned rejection. */
public sealed interface Decision {

  /**
   * The command is accepted.
   *
   * @param events what it changes, in order, revisions consecutive; empty for a no-op
   */
  record Accepted(List<DmEvent> events) implements Decision {
    /** Copies the list. */
    public Accepted {
      events = List.copyOf(events);
    }
  }

  /**
   * The command is refused; nothing changes.
   *
   * @param code the kind of refusal
   * @param reason what is wrong and where, for a human
   */
  record Rejected(Rejection code, String reason) implements Decision {}

  /** Why a command can be refused. */
  enum Rejection {
    /** Malformed: a missing or ill-formed field. */
    INVALID,
    /** It names something that does not exist. */
    NOT_FOUND,
    /** It would create something that already exists. */
    CONFLICT,
    /** It was based on an older version of its target. */
    STALE,
    /** The lifecycle move is not in the transition table. */
    ILLEGAL_TRANSITION,
    /** The lease is held by someone else. */
    LEASE_HELD
  }

  /** Shorthand for a rejection. */
  static Decision reject(Rejection code, String reason) {
    return new Rejected(code, reason);
  }

  /** Shorthand for acceptance. */
  static Decision accept(List<DmEvent> events) {
    return new Accepted(events);
  }
}
