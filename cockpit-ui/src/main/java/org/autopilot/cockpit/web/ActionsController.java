package org.autopilot.cockpit.web;

import org.autopilot.cockpit.action.ActionKind;
import org.autopilot.cockpit.action.OperatorActions;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Operator actions in two steps: a confirmation page saying exactly what will happen (GET
 * {@code /actions/confirm}), then the POST that sends the command on the user's behalf and
 * returns to the page the action started from with the DM's answer. Operators and admins only
 * (see {@code SecurityConfig}).
 */
@Controller
class ActionsController {
  private final OperatorActions actions;
  private final org.autopilot.cockpit.fleet.FleetMirror mirror;

  ActionsController(OperatorActions actions, org.autopilot.cockpit.fleet.FleetMirror mirror) {
    this.actions = actions;
    this.mirror = mirror;
  }

  @GetMapping("/actions/confirm")
  String confirm(@RequestParam String kind, @RequestParam String target,
      @RequestParam(required = false) String back, Model model) {
    ActionKind k = kind(kind);
    model.addAttribute("kind", k);
    model.addAttribute("target", target);
    model.addAttribute("description", k.describe(target));
    model.addAttribute("back", safeBack(back));
    return "confirm";
  }

  @PostMapping("/actions/{kind}")
  String perform(@PathVariable String kind, @RequestParam String target,
      @RequestParam(required = false) String duration, @RequestParam(required = false) String cause,
      @RequestParam(required = false) String back, Authentication auth, RedirectAttributes flash)
      throws InterruptedException {
    ActionKind k = kind(kind);
    OperatorActions.Outcome o = actions.perform(auth.getName(), k, target, duration, cause);
    if (o.ok()) {
      // the page we return to should already show the effect (bounded: the copy may lag)
      mirror.awaitRevision(o.revision(), java.time.Duration.ofSeconds(3));
    }
    flash.addFlashAttribute(o.ok() ? "flashOk" : "flashError", o.message());
    return "redirect:" + safeBack(back);
  }

  private static ActionKind kind(String kind) {
    ActionKind k = ActionKind.parse(kind);
    if (k == null) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no action " + kind);
    }
    return k;
  }

  /** Only a local path: never an open redirect. */
  static String safeBack(String back) {
    return back != null && back.startsWith("/") && !back.startsWith("//") && !back.contains("\\")
        && !back.contains("\n") && !back.contains("\r") ? back : "/";
  }
}
