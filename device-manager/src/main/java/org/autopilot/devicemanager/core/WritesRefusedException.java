package org.autopilot.devicemanager.core;

/**
 * A write refused before it reached the log, so nothing changed and it may be retried as is:
 * the replica's disk is nearly full (below its reserve) or the replica has failed. The message
 * says why.
 */
public final class WritesRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A refusal for {@code reason}. */
  public WritesRefusedException(String reason) {
    super(reason);
  }
}
