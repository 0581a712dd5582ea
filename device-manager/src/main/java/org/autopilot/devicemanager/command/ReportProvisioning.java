package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * A step of a machine's provisioning, recorded on the machine ({@code Machine.provisioning}).
 * Accepted only from the holder of the {@code provisioning} lease, so a deposed leader's steps are
 * refused; the step carries the lease epoch it was reported under.
 *
 * @param machine an existing machine, not Decommissioned
 * @param expectedVersion the machine version the step was decided on; 0 = unconditional. A
 *     machine changed since (moved, replaced, reported on) rejects the step as {@code STALE}, so a
 *     step decided on an old view is never recorded
 * @param holder the replica reporting; must hold the {@code provisioning} lease
 * @param step {@code [a-z][a-z0-9-]{0,31}}
 * @param detail for humans, at most 1,000 characters, or null
 * @param cause why (lands in the audit trail)
 */
public record ReportProvisioning(MachineId machine, long expectedVersion, String holder, String step,
    String detail, String cause) implements DmCommand {}
