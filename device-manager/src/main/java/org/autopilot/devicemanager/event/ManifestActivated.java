package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * A machine should now run a different manifest.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param from the manifest active before, or null
 * @param to the manifest to run
 */
public record ManifestActivated(long revision, Instant at, String actor, String cause,
    MachineId machine, ManifestRef from, ManifestRef to) implements DmEvent {}
