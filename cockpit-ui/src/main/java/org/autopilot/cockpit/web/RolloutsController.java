package org.autopilot.cockpit.web;

import java.util.ArrayList;
import java.util.List;
import org.autopilot.cockpit.fleet.AuditEntry;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetView;
import org.autopilot.cockpit.fleet.ManifestSummary;
import org.autopilot.cockpit.fleet.RolloutProgress;
import org.autopilot.devicemanager.model.Rollout;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** Rollouts: per-unit progress, gates, bake timers, rollback history, the commit behind each version. */
@Controller
class RolloutsController {
  private final FleetMirror mirror;

  RolloutsController(FleetMirror mirror) {
    this.mirror = mirror;
  }

  /**
   * One rollout as the page shows it.
   *
   * @param rollout the rollout
   * @param units each unit's progress
   * @param toManifest the new version's registration (its commit), or null
   * @param fromManifest the previous version's, or null
   */
  record RolloutCard(Rollout rollout, List<RolloutProgress> units, ManifestSummary toManifest,
      ManifestSummary fromManifest) {}

  @GetMapping("/rollouts")
  String rollouts(Model model) {
    FleetView view = mirror.view();
    List<RolloutCard> cards = new ArrayList<>();
    for (Rollout r : view.rollouts().values()) {
      cards.add(new RolloutCard(r, RolloutProgress.of(r, view.machines().values()),
          r.to() == null ? null : view.manifests().get(r.to().toString()),
          r.from() == null ? null : view.manifests().get(r.from().toString())));
    }
    model.addAttribute("cards", cards);
    List<AuditEntry> history = new ArrayList<>();
    var events = view.events();
    for (int i = events.size() - 1; i >= 0 && history.size() < 100; i--) {
      AuditEntry e = events.get(i);
      if (e.type().equals("RolloutUpdated")) {
        history.add(e);
      }
    }
    model.addAttribute("history", history);
    List<ManifestSummary> manifests = new ArrayList<>(view.manifests().values());
    java.util.Collections.reverse(manifests);
    model.addAttribute("manifests", manifests);
    return "rollouts";
  }
}
