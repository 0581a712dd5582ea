package org.autopilot.devicemanager.model;

/**
 * A class of identical machines that share an image, manifests and policies.
 *
 * @param name unique name, {@code [a-z0-9-]}
 * @param image content address of the OS image installed at provisioning, or null for none yet
 * @param version DM revision of the last change
 */
public record MachineType(String name, String image, long version) {}
