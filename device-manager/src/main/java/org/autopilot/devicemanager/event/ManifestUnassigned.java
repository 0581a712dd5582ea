package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * A machine may drop a manifest.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param manifest the manifest it no longer needs
 */
public record ManifestUnassigned(long revision, Instant at, String actor, String cause,
    MachineId machine, ManifestRef manifest) implements DmEvent {}
