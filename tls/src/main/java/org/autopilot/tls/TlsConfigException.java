package org.autopilot.tls;

import java.io.IOException;

/** A TLS file that is missing, unreadable or wrong; the message names the file and the fault. */
public final class TlsConfigException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A fault in {@code what} (a config key and file, e.g. {@code tls.certificate /etc/x.pem}). */
  public TlsConfigException(String what, String fault) {
    super(what + ": " + fault);
  }

  /** As {@link #TlsConfigException(String, String)}, keeping the cause. */
  public TlsConfigException(String what, String fault, Throwable cause) {
    super(what + ": " + fault, cause);
  }
}
