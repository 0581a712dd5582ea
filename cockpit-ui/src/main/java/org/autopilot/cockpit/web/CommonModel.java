package org.autopilot.cockpit.web;

import org.autopilot.cockpit.collection.CollectionClient;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetView;
import org.springframework.security.core.Authentication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every page's layout needs: the fleet copy, the user, whether they may act. */
@ControllerAdvice(annotations = org.springframework.stereotype.Controller.class)
class CommonModel {
  private final FleetMirror mirror;
  private final CollectionClient collection;
  private final Format fmt;

  CommonModel(FleetMirror mirror, CollectionClient collection, Format fmt) {
    this.mirror = mirror;
    this.collection = collection;
    this.fmt = fmt;
  }

  @ModelAttribute
  void common(Model model, Authentication auth) {
    FleetView view = mirror.view();
    model.addAttribute("view", view);
    model.addAttribute("fmt", fmt);
    model.addAttribute("user", auth == null ? null : auth.getName());
    model.addAttribute("mayAct", CurrentUser.mayAct(auth));
    model.addAttribute("role", auth == null ? null : auth.getAuthorities().stream()
        .anyMatch(a -> a.getAuthority().equals("ROLE_ADMIN")) ? "admin"
        : CurrentUser.mayAct(auth) ? "operator" : "viewer");
    model.addAttribute("collectionConfigured", collection.configured());
  }
}
