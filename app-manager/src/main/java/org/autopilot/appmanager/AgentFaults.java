package org.autopilot.appmanager;

import java.io.IOException;

/**
 * What a simulated machine does to its agent when faults are injected; a real host uses
 * {@link #NONE}. Consulted before every network call, every reconcile step and every watchdog
 * round and report.
 */
public interface AgentFaults {
  /** True while the agent should do nothing at all (a hung daemon). */
  boolean hung();

  /** Called before each network call: throws when the network is dead, sleeps when slow. */
  void network() throws IOException;

  /** True while the agent's watchdog reports (its heartbeat) are dropped before they leave. */
  default boolean lostHeartbeat() {
    return false;
  }

  /** No faults: a real host. */
  AgentFaults NONE = new AgentFaults() {
    @Override
    public boolean hung() {
      return false;
    }

    @Override
    public void network() {}
  };
}
