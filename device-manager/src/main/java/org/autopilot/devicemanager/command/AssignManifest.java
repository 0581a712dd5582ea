package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * Asks machines to hold a manifest on disk (pre-load it). All or nothing: if any machine cannot
 * take it, none does.
 *
 * @param machines existing machines, 1 to 10,000, whose type matches the manifest's, if it names one
 * @param manifest a registered manifest version
 * @param cause why
 */
public record AssignManifest(List<MachineId> machines, ManifestRef manifest, String cause)
    implements DmCommand {}
