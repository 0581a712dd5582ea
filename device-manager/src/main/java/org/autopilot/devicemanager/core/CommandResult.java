package org.autopilot.devicemanager.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.autopilot.devicemanager.event.DmEvent;

/**
 * What the DM answers for one command once its batch is committed and applied.
 *
 * @param accepted whether the command was accepted
 * @param revision the fleet revision right after this command (unchanged if rejected)
 * @param code the rejection kind, null when accepted
 * @param reason the rejection reason, null when accepted
 * @param events the events it produced, empty when rejected or a no-op
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandResult(
    boolean accepted, long revision, Decision.Rejection code, String reason, List<DmEvent> events) {

  /** Normalises a null list. */
  public CommandResult {
    events = events == null ? List.of() : List.copyOf(events);
  }
}
