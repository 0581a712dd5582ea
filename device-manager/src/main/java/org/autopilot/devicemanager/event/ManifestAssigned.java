package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * A machine was asked to hold a manifest.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param manifest the manifest it should hold
 */
public record ManifestAssigned(long revision, Instant at, String actor, String cause,
    MachineId machine, ManifestRef manifest) implements DmEvent {}
