package org.autopilot.appmanager;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.AppStatus.State;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code apps} watchdog: whether the apps of the running manifest are up. All running (or
 * starting) is OK; an app waiting to be restarted ({@code BACKOFF}) is Warning; one in
 * {@code CRASH_LOOP} or {@code STOPPED} is Error, naming it. An app that was down stays down
 * for this watchdog through its restart attempts ({@code STARTING}) until it is {@code RUNNING}
 * again, so a crash loop does not flicker to OK between restarts. While the agent switches
 * manifests (old apps stopping, new ones starting) the answer is OK. The texts name apps and
 * states only, never counters, so they change only when the verdict does.
 */
final class AppsWatchdog implements Watchdog {
  /** The name in reports. */
  static final String NAME = "apps";

  /**
   * What the agent runs now.
   *
   * @param running the running manifest, or null
   * @param switchingTo the manifest being switched to, or null when no switch is under way
   * @param apps the apps of {@code running}
   */
  record View(ManifestRef running, ManifestRef switchingTo, List<AppStatus> apps) {}

  private final Supplier<View> view;
  private final Map<String, State> down = new HashMap<>();
  private ManifestRef seen;

  AppsWatchdog(Supplier<View> view) {
    this.view = view;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    View v = view.get();
    if (v.switchingTo() != null) {
      return result(Health.OK, "apps OK: switching to " + v.switchingTo());
    }
    if (v.running() == null) {
      return result(Health.OK, "apps OK: no manifest running");
    }
    if (!v.running().equals(seen)) {
      seen = v.running();
      down.clear();
    }
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (AppStatus a : v.apps()) {
      State s = effective(a);
      if (s == State.CRASH_LOOP || s == State.STOPPED) {
        errors.add(a.name() + " " + s);
      } else if (s == State.BACKOFF) {
        warnings.add(a.name() + " " + s);
      }
    }
    if (!errors.isEmpty()) {
      errors.addAll(warnings);
      return result(Health.ERROR, "apps ERROR: " + v.running() + ": " + String.join(", ", errors));
    }
    if (!warnings.isEmpty()) {
      return result(Health.WARNING, "apps WARNING: " + v.running() + ": " + String.join(", ", warnings));
    }
    return result(Health.OK, "apps OK: " + v.running() + ", " + v.apps().size() + " up");
  }

  /** The state that counts: a restart attempt of an app that was down still counts as down. */
  private State effective(AppStatus a) {
    switch (a.state()) {
      case RUNNING:
        down.remove(a.name());
        return State.RUNNING;
      case STARTING:
        return down.getOrDefault(a.name(), State.STARTING);
      default:
        down.put(a.name(), a.state());
        return a.state();
    }
  }

  private static WatchdogResult result(Health h, String text) {
    return new WatchdogResult(h, text, "", List.of(), List.of());
  }
}
