package org.autopilot.cockpit.web;

import java.util.ArrayList;
import java.util.List;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetView;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.model.RepairDecision;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The repair queue, actions under way, the decision log ("why not now") and incidents. */
@Controller
class RepairsController {
  /** Decision-log entries shown. */
  static final int LOG_ROWS = 100;
  /** Rows of each repair table shown (the rest counted). */
  static final int ROWS = 100;
  private final FleetMirror mirror;

  RepairsController(FleetMirror mirror) {
    this.mirror = mirror;
  }

  @GetMapping("/repairs")
  String repairs(@RequestParam(required = false) String kind,
      @RequestParam(required = false) String machine, Model model) {
    FleetView view = mirror.view();
    List<RepairItem> waiting = new ArrayList<>();
    List<RepairItem> underWay = new ArrayList<>();
    List<RepairItem> probation = new ArrayList<>();
    for (RepairItem r : view.repairs()) {
      switch (r.repair().status()) {
        case WAITING -> waiting.add(r);
        case CLAIMED, STARTED -> underWay.add(r);
        default -> probation.add(r);
      }
    }
    model.addAttribute("waitingTotal", waiting.size());
    model.addAttribute("underWayTotal", underWay.size());
    model.addAttribute("probationTotal", probation.size());
    model.addAttribute("waiting", waiting.subList(0, Math.min(ROWS, waiting.size())));
    model.addAttribute("underWay", underWay.subList(0, Math.min(ROWS, underWay.size())));
    model.addAttribute("probation", probation.subList(0, Math.min(ROWS, probation.size())));
    String k = MachinesController.blank(kind);
    String mm = MachinesController.blank(machine);
    List<RepairDecision> log = new ArrayList<>();
    var all = view.decisions();
    for (int i = all.size() - 1; i >= 0 && log.size() < LOG_ROWS; i--) {
      RepairDecision d = all.get(i);
      if ((k == null || k.equals(d.kind())) && (mm == null || d.machine() != null
          && d.machine().value().contains(mm))) {
        log.add(d);
      }
    }
    model.addAttribute("log", log);
    model.addAttribute("kind", k);
    model.addAttribute("machineFilter", mm);
    model.addAttribute("kinds", List.of("confirmed", "chose", "held", "free", "claimed", "started",
        "done", "failed", "healthy", "incident", "silenced", "replaced"));
    return "repairs";
  }
}
