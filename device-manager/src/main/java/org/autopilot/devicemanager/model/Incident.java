package org.autopilot.devicemanager.model;

import java.time.Instant;
import java.util.List;

/**
 * Many machines of one rack or scale unit failed together: the DM stopped repairing them and
 * waits for a human, who resolves the incident once the common cause (a switch, a power feed)
 * is fixed.
 *
 * @param id the DM revision that opened it
 * @param scope {@code rack:NAME} or {@code unit:NAME}
 * @param reason what tripped the breaker
 * @param machines the machines that failed together, at opening
 * @param openedAt when it opened
 * @param resolvedAt when a human resolved it, or null while open
 * @param resolvedBy who resolved it, or null
 * @param version DM revision of the last change
 */
public record Incident(long id, String scope, String reason, List<MachineId> machines,
    Instant openedAt, Instant resolvedAt, String resolvedBy, long version) {
  /** Copies the list. */
  public Incident {
    machines = machines == null ? List.of() : List.copyOf(machines);
  }

  /** Still open. */
  public boolean open() {
    return resolvedAt == null;
  }
}
