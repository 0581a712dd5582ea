package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * A health policy was set (null: a type's own policy removed).
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param scope {@code default} or a machine type
 * @param policy the policy, or null
 */
public record HealthPolicySet(long revision, Instant at, String actor, String cause, String scope, HealthPolicy policy)
    implements DmEvent {}
