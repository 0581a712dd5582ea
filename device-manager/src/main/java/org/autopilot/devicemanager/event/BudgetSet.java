package org.autopilot.devicemanager.event;

import java.time.Instant;

/**
 * A disruption budget was set or removed.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param scope its scope
 * @param limit the new limit, or null when removed
 */
public record BudgetSet(long revision, Instant at, String actor, String cause, String scope,
    String limit) implements DmEvent {}
