package org.autopilot.devicemanager.model;

/**
 * A group of machines that rolls out and is counted for budgets together.
 *
 * @param name unique name, {@code [a-z0-9-]}
 * @param version DM revision of the last change
 */
public record ScaleUnit(String name, long version) {}
