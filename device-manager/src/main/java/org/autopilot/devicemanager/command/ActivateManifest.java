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
 * @param expectedActive the manifest the sender saw active on every named machine, as
 *     {@code name@version}, or {@code ""} for none; refused as STALE when any machine's active
 *     manifest is another one now (a decision made on an old read never undoes a newer
 *     activation, e.g. a rollout's). Absent (null) = unconditional, for operators
 */
public record ActivateManifest(List<MachineId> machines, ManifestRef manifest, String cause,
    String expectedActive) implements DmCommand {
  /** An unconditional activation. */
  public ActivateManifest(List<MachineId> machines, ManifestRef manifest, String cause) {
    this(machines, manifest, cause, null);
  }

  /** The value of {@code expectedActive} for a machine whose active manifest is {@code active}. */
  public static String seen(ManifestRef active) {
    return active == null ? "" : active.toString();
  }
}
