package org.autopilot.cockpit.web;

import org.springframework.security.core.Authentication;

/** Who is logged in and what they may do, for controllers. */
final class CurrentUser {
  private CurrentUser() {}

  /** Whether {@code auth} may act (operator or admin). */
  static boolean mayAct(Authentication auth) {
    return auth != null && auth.getAuthorities().stream()
        .anyMatch(a -> a.getAuthority().equals("ROLE_OPERATOR"));
  }
}
