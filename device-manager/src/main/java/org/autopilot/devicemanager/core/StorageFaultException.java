package org.autopilot.devicemanager.core;

import java.io.IOException;

/**
 * A replica's own disk holds something it cannot trust (a log segment whose checksum does not
 * match, a snapshot whose MD5 does not, entries it had made durable that are gone), so it refuses
 * to start rather than serve or vote with wrong state. The message names the file and what is
 * wrong, and says what the operator can do.
 */
public final class StorageFaultException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file (or directory) found wrong. */
  private final String file;

  /** A fault in {@code file}: {@code problem} says what is wrong with it. */
  public StorageFaultException(String file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The file (or directory) found wrong. */
  public String file() {
    return file;
  }
}
