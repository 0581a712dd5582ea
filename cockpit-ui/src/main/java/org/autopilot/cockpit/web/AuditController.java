package org.autopilot.cockpit.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.autopilot.cockpit.fleet.AuditEntry;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The audit trail: who changed what and why, newest first, with operators' actions findable. */
@Controller
class AuditController {
  private final FleetMirror mirror;

  AuditController(FleetMirror mirror) {
    this.mirror = mirror;
  }

  @GetMapping("/audit")
  String audit(@RequestParam(required = false) String q,
      @RequestParam(required = false) String actor,
      @RequestParam(defaultValue = "false") boolean humans,
      @RequestParam(defaultValue = "false") boolean leases,
      @RequestParam(defaultValue = "100") int limit, Model model) {
    int rowsWanted = Math.max(1, Math.min(limit, 2000));
    String text = MachinesController.blank(q);
    String who = MachinesController.blank(actor);
    List<AuditEntry> rows = new ArrayList<>();
    var events = mirror.view().events();
    for (int i = events.size() - 1; i >= 0 && rows.size() < rowsWanted; i--) {
      AuditEntry e = events.get(i);
      if (!leases && (e.type().equals("LeaseGranted") || e.type().equals("LeaseReleased"))) {
        continue;
      }
      if (humans && (e.actor() == null || !e.actor().contains("/"))) {
        continue;
      }
      if (who != null && (e.actor() == null || !e.actor().contains(who))) {
        continue;
      }
      if (text != null && !(e.what() + " " + e.cause() + " " + e.machine() + " " + e.type())
          .toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT))) {
        continue;
      }
      rows.add(e);
    }
    model.addAttribute("rows", rows);
    model.addAttribute("q", text);
    model.addAttribute("actor", who);
    model.addAttribute("humans", humans);
    model.addAttribute("leases", leases);
    model.addAttribute("limit", rowsWanted);
    return "audit";
  }
}
