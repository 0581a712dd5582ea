package org.autopilot.cockpit.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.autopilot.cockpit.collection.CollectionClient;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The counters explorer page, and the JSON the browser's charts and log panes read: the
 * collection service's answers passed through, or {@code {"problem": "..."}} when it is not
 * configured or does not answer (pages then say so instead of breaking).
 */
@Controller
class CountersController {
  private final CollectionClient collection;

  CountersController(CollectionClient collection) {
    this.collection = collection;
  }

  @GetMapping("/counters")
  String counters() {
    return "counters";
  }

  @GetMapping("/api/collection/counters")
  @ResponseBody
  Object counters(@RequestParam(required = false) String machine) {
    return answer(collection.counters(MachinesController.blank(machine)));
  }

  @GetMapping("/api/collection/series")
  @ResponseBody
  Object series(@RequestParam(name = "machine") List<String> machines, @RequestParam String counter,
      @RequestParam(required = false) String app, @RequestParam(required = false) String from,
      @RequestParam(required = false) String to, @RequestParam(required = false) String step) {
    List<String> ms = machines.stream().flatMap(m -> Arrays.stream(m.split("[,\\s]+")))
        .filter(s -> !s.isBlank()).limit(50).toList();
    return answer(collection.series(ms, counter, MachinesController.blank(app), from, to, step));
  }

  @GetMapping("/api/collection/logs")
  @ResponseBody
  Object logs(@RequestParam(required = false) String machine,
      @RequestParam(required = false) String app, @RequestParam(required = false) String level,
      @RequestParam(required = false) String q, @RequestParam(required = false) String from,
      @RequestParam(required = false) String to, @RequestParam(defaultValue = "100") int limit) {
    return answer(collection.logs(MachinesController.blank(machine), MachinesController.blank(app),
        MachinesController.blank(level), MachinesController.blank(q), from, to,
        Math.max(1, Math.min(limit, 1000))));
  }

  private static Object answer(CollectionClient.Answer a) {
    JsonNode json = a.json();
    return a.ok() ? json : Map.of("problem", a.problem());
  }
}
