package org.autopilot.fleetsim;

/** A fault that can be injected into a simulated machine. */
public enum Fault {
  /**
   * The disk reports unrecoverable errors: {@code disk-check} exits 2, other SSH commands fail,
   * and the agent's {@code disk} watchdog cannot write its probe file (a directory stands where
   * the file goes), so it reports an Error the DM takes as fatal.
   */
  DISK_ERROR,
  /** The machine's apps are killed every second while the fault lasts. */
  CRASHING_APP,
  /** The agent stops making progress (read by the machine's agent). */
  HUNG_AGENT,
  /** The agent's watchdog reports, its heartbeat among them, are dropped before they leave. */
  LOST_HEARTBEAT,
  /** Every SSH command answers two seconds late; the agent's network calls take two seconds more. */
  SLOW_NETWORK,
  /** The machine is unreachable: its SSH endpoint refuses connections, its agent's calls fail. */
  DEAD_NETWORK;

  /**
   * Whether a reboot cures it, like a wedged process or a leaked resource would be: the hung or
   * heartbeat-losing agent and the crashing app. Disk and network faults are hardware: they stay
   * until cleared (a human replaced the part).
   */
  public boolean curedByReboot() {
    return this == HUNG_AGENT || this == LOST_HEARTBEAT || this == CRASHING_APP;
  }
}
