package org.autopilot.chaos;

import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.event.DmEvent;

/**
 * The writes the suite's own clients got acknowledged: every event of every accepted command,
 * with the revision the DM answered. A command whose answer never came (an outage, a timeout) is
 * counted as unknown and not logged: it may or may not have been applied.
 */
final class AckLog {
  private final List<DmEvent> acknowledged = new ArrayList<>();
  private int unknown;
  private int rejected;

  /** Sends through {@code client}; the result, or null when no answer came. */
  CommandResult send(DmClient client, DmCommand command) {
    CommandResult r;
    try {
      r = client.send(command);
    } catch (RuntimeException outage) {
      if (outage instanceof org.autopilot.devicemanager.client.DmClientException e
          && e.status() >= 400 && e.status() < 500) {
        // refused for what it is (bad request, forbidden): a broken suite, not an outage
        throw new AssertionError("the DM refused a chaos client's " + command.getClass().getSimpleName()
            + " outright: " + e.getMessage(), e);
      }
      synchronized (this) {
        unknown++;
      }
      return null;
    }
    synchronized (this) {
      if (r.accepted()) {
        acknowledged.addAll(r.events());
      } else {
        rejected++;
      }
    }
    return r;
  }

  synchronized List<DmEvent> acknowledged() {
    return List.copyOf(acknowledged);
  }

  synchronized int unknown() {
    return unknown;
  }

  synchronized int rejected() {
    return rejected;
  }
}
