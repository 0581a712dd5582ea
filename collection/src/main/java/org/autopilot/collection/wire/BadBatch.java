package org.autopilot.collection.wire;

/** A batch refused whole: the HTTP status to answer and a message saying what and where. */
public final class BadBatch extends Exception {
  private final int status;

  /** A refusal with {@code status} (400, 403, 413, 415). */
  public BadBatch(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }
}
