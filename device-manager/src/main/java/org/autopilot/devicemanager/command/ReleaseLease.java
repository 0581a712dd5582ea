package org.autopilot.devicemanager.command;

/**
 * Gives up leadership of a service; only the current holder may.
 *
 * @param service service name
 * @param holder the replica giving it up
 * @param cause why
 */
public record ReleaseLease(String service, String holder, String cause) implements DmCommand {}
