package org.autopilot.cockpit.web;

import java.util.List;
import java.util.Optional;
import org.autopilot.cockpit.fleet.AuditEntry;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetSource;
import org.autopilot.cockpit.fleet.FleetView;
import org.autopilot.cockpit.fleet.MachineQuery;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.RepairDecision;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/** The machines table (search, filters, pages) and one machine's page. */
@Controller
class MachinesController {
  static final int PAGE_SIZE = 50;
  private final FleetMirror mirror;
  private final Optional<FleetSource> source;

  MachinesController(FleetMirror mirror, Optional<FleetSource> source) {
    this.mirror = mirror;
    this.source = source;
  }

  @GetMapping("/machines")
  String machines(@RequestParam(required = false) String q,
      @RequestParam(required = false) String state, @RequestParam(required = false) String health,
      @RequestParam(required = false) String type, @RequestParam(required = false) String unit,
      @RequestParam(defaultValue = "1") int page, Model model) {
    FleetView view = mirror.view();
    MachineQuery query = new MachineQuery(blank(q), parse(state, LifecycleState::parse),
        parse(health, Health::parse), blank(type), blank(unit), page, PAGE_SIZE);
    model.addAttribute("query", query);
    model.addAttribute("result", query.run(view.machines().values()));
    model.addAttribute("states", LifecycleState.values());
    model.addAttribute("healths", Health.values());
    model.addAttribute("types", view.summary().byType().stream().map(r -> r.name()).toList());
    model.addAttribute("units", view.summary().byUnit().stream().map(r -> r.name()).toList());
    return "machines";
  }

  @GetMapping("/machines/{id}")
  String machine(@PathVariable String id, Model model) {
    FleetView view = mirror.view();
    Machine m = view.machine(id);
    if (m == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no machine " + id);
    }
    model.addAttribute("m", m);
    List<AuditEntry> timeline = List.of();
    List<RepairDecision> decisions = List.of();
    String timelineProblem = null;
    if (source.isPresent()) {
      try {
        timeline = source.get().machineEvents(m.id(), 500).stream().map(AuditEntry::of).toList();
        decisions = source.get().machineDecisions(m.id(), 200);
      } catch (RuntimeException e) {
        timelineProblem = "the DM did not answer: " + e.getMessage();
      }
    } else {
      timelineProblem = "no Device Manager configured";
    }
    model.addAttribute("timeline", reversed(timeline));
    model.addAttribute("stateChanges", reversed(timeline.stream().filter(AuditEntry::stateChange).toList()));
    model.addAttribute("decisions", reversed(decisions));
    model.addAttribute("timelineProblem", timelineProblem);
    var rollout = m.machineType() == null ? null : view.rollouts().get(m.machineType());
    model.addAttribute("rollout", rollout);
    model.addAttribute("incidents", view.incidents().stream()
        .filter(i -> i.open() && i.machines().contains(m.id())).toList());
    return "machine";
  }

  static <T> List<T> reversed(List<T> in) {
    List<T> out = new java.util.ArrayList<>(in);
    java.util.Collections.reverse(out);
    return out;
  }

  static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  static <T> T parse(String s, java.util.function.Function<String, T> f) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return f.apply(s);
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
    }
  }
}
