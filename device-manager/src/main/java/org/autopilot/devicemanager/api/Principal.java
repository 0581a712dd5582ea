package org.autopilot.devicemanager.api;

/**
 * An authenticated caller.
 *
 * @param name the name recorded as actor of every command it sends
 * @param role what it may do
 * @param service for a {@link Role#SATELLITE}, the one service it speaks for (never null then);
 *     null for every other role
 */
public record Principal(String name, Role role, SatelliteService service) {
  /** Checks that exactly satellites carry a service. */
  public Principal {
    if ((role == Role.SATELLITE) != (service != null)) {
      throw new IllegalArgumentException(role == Role.SATELLITE
          ? "satellite principal " + name + " needs a service"
          : name + " has role " + role + " and may not carry a satellite service");
    }
  }

  /** A principal of a role other than {@link Role#SATELLITE}. */
  public Principal(String name, Role role) {
    this(name, role, null);
  }
}
