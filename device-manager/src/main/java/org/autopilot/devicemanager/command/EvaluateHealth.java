package org.autopilot.devicemanager.command;

/**
 * Lets time pass for the health policy: confirmations by duration, probation ends, action
 * timeouts, maintenance windows opening. The DM leader proposes it itself when something is
 * due; anyone may send it, it only ever applies the policy at the leader's time.
 *
 * @param cause why
 */
public record EvaluateHealth(String cause) implements DmCommand {}
