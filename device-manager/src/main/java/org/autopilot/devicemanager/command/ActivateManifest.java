package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * Makes a manifest the one whose apps run on machines (their app-manager swaps: stop old, switch,
 * start new). The manifest must be assigned to every machine named. All or nothing.
 *
 * @param machines existing machines, 1 to 10,000
 * @param manifest an assigned manifest version
 * @param cause why
 */
public record ActivateManifest(List<MachineId> machines, ManifestRef manifest, String cause)
    implements DmCommand {}
