package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;

/**
 * A machine's app-manager reports what it holds and runs. Only a change makes an event.
 *
 * @param machine the reporting machine (a machine principal may only report for itself)
 * @param held manifests complete and verified on its disk, at most 16
 * @param running the manifest whose apps it runs, or null
 * @param apps the state of each app of {@code running}, at most 64
 * @param cause why (usually empty)
 */
public record ReportSoftware(MachineId machine, List<ManifestRef> held, ManifestRef running,
    List<AppStatus> apps, String cause) implements DmCommand {}
