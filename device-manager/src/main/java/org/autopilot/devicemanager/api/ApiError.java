package org.autopilot.devicemanager.api;

/**
 * A client error the API reports as {@code {"error": message}} with an HTTP status.
 */
public final class ApiError extends RuntimeException {
  private final int status;

  /** An error with HTTP {@code status} and a message saying what and where. */
  public ApiError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer with. */
  public int status() {
    return status;
  }

  /** 400 Bad Request. */
  public static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }
}
