package org.autopilot.cockpit.fleet;

import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;

/** Where operator actions go: the DM, which records the human as part of the actor. */
public interface CommandSink {
  /**
   * Sends {@code command} on behalf of the logged-in {@code user}; the DM's answer (accepted or
   * rejected with a reason). Throws when the DM cannot be reached or refuses the request.
   */
  CommandResult send(String user, DmCommand command);
}
