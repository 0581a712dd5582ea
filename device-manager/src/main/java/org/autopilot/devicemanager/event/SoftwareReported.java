package org.autopilot.devicemanager.event;

import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * A machine reported a change in what it holds or runs.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param held manifests complete on its disk
 * @param running the manifest whose apps it runs, or null
 * @param apps state of each app
 */
public record SoftwareReported(long revision, Instant at, String actor, String cause,
    MachineId machine, List<ManifestRef> held, ManifestRef running, List<AppStatus> apps)
    implements DmEvent {}
