package org.autopilot.cockpit.web;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The fleet at a glance, kept live over server-sent events. */
@Controller
class OverviewController {
  private final LiveOverview live;

  OverviewController(LiveOverview live) {
    this.live = live;
  }

  @GetMapping("/")
  String overview() {
    return "overview";
  }

  /** The overview's live region, re-rendered and pushed whenever the fleet changed. */
  @GetMapping(path = "/live/overview", produces = "text/event-stream")
  SseEmitter stream() {
    return live.subscribe();
  }
}
