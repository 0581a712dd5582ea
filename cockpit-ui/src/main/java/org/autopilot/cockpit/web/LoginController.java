package org.autopilot.cockpit.web;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/** The login page and the page a refused request lands on. */
@Controller
class LoginController {
  @RequestMapping("/login")
  String login() {
    return "login";
  }

  @RequestMapping("/denied")
  String denied(HttpServletResponse response) {
    response.setStatus(HttpServletResponse.SC_FORBIDDEN);
    return "denied";
  }
}
