package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.IngestStatus;

/**
 * The deployment service ingested (or rejected) a commit of a manifest source.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param status the source's status afterwards
 */
public record IngestRecorded(long revision, Instant at, String actor, String cause,
    IngestStatus status) implements DmEvent {}
