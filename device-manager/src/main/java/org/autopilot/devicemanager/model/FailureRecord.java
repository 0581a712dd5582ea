package org.autopilot.devicemanager.model;

import java.time.Instant;

/**
 * One entry in a machine's failure history, used to choose its next repair action.
 *
 * @param revision the DM revision at which the machine entered Failure
 * @param at leader-stamped time of that revision
 * @param cause why it failed, as reported
 */
public record FailureRecord(long revision, Instant at, String cause) {}
