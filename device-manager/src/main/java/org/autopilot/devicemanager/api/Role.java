package org.autopilot.devicemanager.api;

/** What a principal may do through the API. */
public enum Role {
  /** Reads everything, changes nothing. */
  VIEWER,
  /** A per-machine agent: reads, reports about its own machine. */
  MACHINE,
  /** A satellite service: reads, sends the commands of its service. */
  SATELLITE,
  /** A human operator: reads and sends commands. */
  OPERATOR,
  /** Everything, including administration. */
  ADMIN;

  /** Whether this role may send commands at all. */
  public boolean mayWrite() {
    return this != VIEWER;
  }
}
