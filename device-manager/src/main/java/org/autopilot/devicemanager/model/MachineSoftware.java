package org.autopilot.devicemanager.model;

import java.util.List;
import org.autopilot.manifests.ManifestRef;

/**
 * The manifests of one machine: what the DM wants (assigned, active) and what the machine's
 * app-manager last reported (held, running, apps).
 *
 * @param assigned manifests the machine should hold on disk, sorted, at most {@link #MAX_ASSIGNED}
 * @param active the manifest whose apps should run, one of {@code assigned}, or null
 * @param held manifests the machine reports holding complete and verified on disk, sorted
 * @param running the manifest whose apps the machine reports running, or null
 * @param apps the reported state of each app of {@code running}
 * @param kicks how often an operator asked the machine to retry pre-loading at once
 */
public record MachineSoftware(List<ManifestRef> assigned, ManifestRef active, List<ManifestRef> held,
    ManifestRef running, List<AppStatus> apps, int kicks) {
  /** Most manifests assigned to one machine at once. */
  public static final int MAX_ASSIGNED = 8;
  /** No manifests at all. */
  public static final MachineSoftware NONE = new MachineSoftware(null, null, null, null, null, 0);

  /** Normalises to immutable, sorted, never-null lists. */
  public MachineSoftware {
    assigned = assigned == null ? List.of() : assigned.stream().sorted().distinct().toList();
    held = held == null ? List.of() : held.stream().sorted().distinct().toList();
    apps = apps == null ? List.of() : List.copyOf(apps);
  }

  /** With {@code ref} added to the assigned set. */
  public MachineSoftware assign(ManifestRef ref) {
    List<ManifestRef> more = new java.util.ArrayList<>(assigned);
    more.add(ref);
    return new MachineSoftware(more, active, held, running, apps, kicks);
  }

  /** With {@code ref} removed from the assigned set. */
  public MachineSoftware unassign(ManifestRef ref) {
    return new MachineSoftware(assigned.stream().filter(r -> !r.equals(ref)).toList(), active,
        held, running, apps, kicks);
  }

  /** With {@code ref} to be run. */
  public MachineSoftware activate(ManifestRef ref) {
    return new MachineSoftware(assigned, ref, held, running, apps, kicks);
  }

  /** With what the machine reported. */
  public MachineSoftware reported(List<ManifestRef> nowHeld, ManifestRef nowRunning,
      List<AppStatus> nowApps) {
    return new MachineSoftware(assigned, active, nowHeld, nowRunning, nowApps, kicks);
  }

  /** With one more kick. */
  public MachineSoftware kicked() {
    return new MachineSoftware(assigned, active, held, running, apps, kicks + 1);
  }

  /** True once the machine reports running the active manifest. */
  public boolean converged() {
    return active != null && active.equals(running);
  }
}
