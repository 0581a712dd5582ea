package org.autopilot.devicemanager.api;

/**
 * An authenticated caller.
 *
 * @param name the name recorded as actor of every command it sends
 * @param role what it may do
 */
public record Principal(String name, Role role) {}
