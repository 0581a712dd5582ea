package org.autopilot.provisioning.scan;

/**
 * One place an SSH endpoint may answer.
 *
 * @param host an IP address literal (v4, or v6 without brackets) or a host name
 * @param port 1..65535
 */
public record Endpoint(String host, int port) {
  /** Validates. */
  public Endpoint {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("endpoint host is missing");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not 1..65535");
    }
  }

  /** As the DM records a machine's address: {@code host:port}, {@code [v6]:port}. */
  public String address() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return address();
  }
}
