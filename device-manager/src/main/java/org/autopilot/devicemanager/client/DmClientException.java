package org.autopilot.devicemanager.client;

/** The DM could not be reached or refused a request; the message says which and why. */
public final class DmClientException extends RuntimeException {
  private final int status;

  /** An error with the HTTP status (0 when no answer came). */
  public DmClientException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** HTTP status of the answer, or 0 if none arrived. */
  public int status() {
    return status;
  }
}
