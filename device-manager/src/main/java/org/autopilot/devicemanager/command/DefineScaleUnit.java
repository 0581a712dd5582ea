package org.autopilot.devicemanager.command;

/**
 * Creates a scale unit; defining an existing one is accepted and changes nothing.
 *
 * @param name unit name, {@code [a-z0-9][a-z0-9-]*}, at most 64 characters
 * @param cause why
 */
public record DefineScaleUnit(String name, String cause) implements DmCommand {}
