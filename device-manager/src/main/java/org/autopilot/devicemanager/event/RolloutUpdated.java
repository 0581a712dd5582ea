package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.Rollout;

/**
 * A rollout started or moved: a unit changed phase, or the rollout changed status.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why, in words (e.g. "unit su-1 passed: 9 of 10 healthy after the bake")
 * @param rollout the rollout as it is now
 */
public record RolloutUpdated(long revision, Instant at, String actor, String cause, Rollout rollout)
    implements DmEvent {}
