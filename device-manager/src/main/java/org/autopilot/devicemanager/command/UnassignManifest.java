package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * Lets machines drop a manifest from disk; refused for a machine on which it is active.
 *
 * @param machines existing machines, 1 to 10,000
 * @param manifest the manifest version to drop
 * @param cause why
 */
public record UnassignManifest(List<MachineId> machines, ManifestRef manifest, String cause)
    implements DmCommand {}
