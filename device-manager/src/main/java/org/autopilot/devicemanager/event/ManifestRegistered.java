package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.ManifestVersion;

/**
 * A manifest version was registered.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param manifest the registered version, with its digest and origin
 */
public record ManifestRegistered(long revision, Instant at, String actor, String cause,
    ManifestVersion manifest) implements DmEvent {}
