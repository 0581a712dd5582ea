package org.autopilot.devicemanager.model;

import java.time.Instant;

/**
 * One entry of the decision log: something the health policy decided, or decided not to do
 * and why.
 *
 * @param revision the DM revision of the decision
 * @param at leader time
 * @param machine the machine concerned, or null for a rack or unit
 * @param scope where it applies, e.g. {@code unit:su-2}, or null
 * @param kind what kind of decision (e.g. {@code confirmed}, {@code chose}, {@code held})
 * @param text the decision for a human, e.g. {@code Reboot held: budget unit:su-2 3/3}
 */
public record RepairDecision(long revision, Instant at, MachineId machine, String scope,
    String kind, String text) {}
