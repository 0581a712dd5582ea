package org.autopilot.devicemanager.model;

import java.time.Instant;
import java.util.List;
import org.autopilot.manifests.ManifestRef;

/**
 * The latest rollout of one machine type: a new manifest version moving through the type's
 * scale units one at a time. Decided entirely in the DM ({@code AdvanceRollout} is judged on
 * leader time); a rollout driver only pokes it.
 *
 * @param machineType the type rolled out
 * @param from the version the type ran before, or null for its first version
 * @param to the version rolled out
 * @param status where the rollout is
 * @param units every scale unit holding machines of the type, in rollout order
 * @param threshold percent of a unit's in-service machines that must hold {@code to} before it
 *     is activated there, and that must run it healthily for the unit to pass
 * @param bakeMillis how long an activated machine stays in Probation before it is judged
 * @param startedAt leader time the rollout started
 * @param endedAt leader time it succeeded, was rolled back or aborted; null while it runs
 * @param reason the latest decision in words
 * @param released the version the type runs when no rollout moves it: {@code from} until the
 *     rollout succeeds, then {@code to}; {@code from} again after a rollback
 * @param nextCheck the earliest leader time a bake ends (when advancing next can decide
 *     something), or null; a driver sleeps until then rather than polling
 * @param version DM revision of the last change
 */
public record Rollout(String machineType, ManifestRef from, ManifestRef to, Status status,
    List<UnitRollout> units, int threshold, long bakeMillis, Instant startedAt, Instant endedAt,
    String reason, ManifestRef released, Instant nextCheck, long version) {

  /** Copies the unit list. */
  public Rollout {
    units = units == null ? List.of() : List.copyOf(units);
  }

  /** Where a rollout is. */
  public enum Status {
    /** Moving; {@code AdvanceRollout} acts. */
    RUNNING,
    /** Stopped by an operator; nothing moves until resumed. */
    PAUSED,
    /** Every unit passed; {@code to} is released. */
    SUCCEEDED,
    /** A unit failed its gate; every unit that ran {@code to} went back to {@code from}. */
    ROLLED_BACK,
    /** Stopped by an operator and rolled back. */
    ABORTED;

    /** True while the rollout may still move machines. */
    public boolean open() {
      return this == RUNNING || this == PAUSED;
    }
  }

  /** Where one scale unit is in a rollout. */
  public enum Phase {
    /** Not reached yet, or waiting until enough machines hold the new version. */
    PENDING,
    /** Machines holding the new version are activated (within the budget) and baked. */
    ACTIVATING,
    /** Enough machines ran the new version healthily through the bake. */
    PASSED,
    /** Too many machines failed the bake. */
    FAILED,
    /** Went back to the previous version after a failure or an abort. */
    ROLLED_BACK
  }

  /**
   * One scale unit's progress.
   *
   * @param unit the scale unit
   * @param phase its phase
   * @param since leader time the phase began, or null while pending from the start
   */
  public record UnitRollout(String unit, Phase phase, Instant since) {}

  /** The unit being worked on (the first not passed), or null when all passed. */
  public UnitRollout current() {
    return units.stream().filter(u -> u.phase() == Phase.PENDING || u.phase() == Phase.ACTIVATING)
        .findFirst().orElse(null);
  }
}
