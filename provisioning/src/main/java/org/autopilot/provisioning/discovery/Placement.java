package org.autopilot.provisioning.discovery;

/**
 * Where a machine belongs: its type, scale unit and rack, as the machine-type rules say.
 *
 * @param machineType a machine type name, or null
 * @param scaleUnit a scale unit name, or null
 * @param rack a rack label, or null
 * @param rule which rule said so (for the audit trail), e.g. {@code machine-types.yaml:12}
 */
public record Placement(String machineType, String scaleUnit, String rack, String rule) {}
