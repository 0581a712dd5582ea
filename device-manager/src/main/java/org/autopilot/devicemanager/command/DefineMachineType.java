package org.autopilot.devicemanager.command;

/**
 * Creates a machine type or changes its image.
 *
 * @param name type name, {@code [a-z0-9][a-z0-9-]*}, at most 64 characters
 * @param image content address of its OS image, or null
 * @param cause why
 */
public record DefineMachineType(String name, String image, String cause) implements DmCommand {}
