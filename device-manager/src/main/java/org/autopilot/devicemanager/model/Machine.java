package org.autopilot.devicemanager.model;

import java.time.Instant;
import java.util.List;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * Everything the DM knows about one machine. Immutable; every change yields a copy whose
 * {@code version} is the DM revision of that change.
 *
 * @param id stable identity
 * @param address management address, {@code host:port} of its SSH endpoint
 * @param hostKeyFingerprint SSH host key fingerprint pinned at discovery (e.g. {@code SHA256:...})
 * @param machineType name of a defined machine type, or null while untyped
 * @param scaleUnit name of a defined scale unit, or null while unplaced
 * @param rack rack label for correlated-failure detection, or null
 * @param facts hardware facts read at discovery, never null
 * @param state lifecycle state, never null
 * @param stateSince leader time at which {@code state} was entered
 * @param health last reported watchdog verdict, never null
 * @param healthSince leader time at which {@code health} last changed
 * @param failures failure history, oldest first, at most {@link #MAX_FAILURES} entries
 * @param software manifests assigned, active, held and running, and app states; never null
 * @param watchdogs the last recorded state of each watchdog, by name; never null
 * @param repair the repair of its current or latest failure, or null
 * @param silencedUntil until when its Errors are neither confirmed nor repaired, or null
 * @param provisioning the steps the provisioning service reported, oldest first, at most
 *     {@link #MAX_PROVISIONING_STEPS}; never null; cleared when its hardware is replaced
 * @param createdRevision DM revision at which the machine was registered
 * @param version DM revision of the last change to this machine; stale commands name an older one
 *     (snapshots written before manifests existed carry three empty manifest fields, ignored)
 */
@com.fasterxml.jackson.annotation.JsonIgnoreProperties(
    {"assignedManifest", "heldManifests", "activeManifest"})
public record Machine(
    MachineId id,
    String address,
    String hostKeyFingerprint,
    String machineType,
    String scaleUnit,
    String rack,
    MachineFacts facts,
    LifecycleState state,
    Instant stateSince,
    Health health,
    Instant healthSince,
    List<FailureRecord> failures,
    MachineSoftware software,
    java.util.SortedMap<String, WatchdogState> watchdogs,
    Repair repair,
    Instant silencedUntil,
    List<ProvisioningStep> provisioning,
    long createdRevision,
    long version) {

  /** How much failure history a machine keeps. */
  public static final int MAX_FAILURES = 32;
  /** How many provisioning steps a machine keeps. */
  public static final int MAX_PROVISIONING_STEPS = 64;

  /** Normalises collections to immutable, never-null values. */
  public Machine {
    facts = facts == null ? MachineFacts.UNKNOWN : facts;
    failures = failures == null ? List.of() : List.copyOf(failures);
    provisioning = provisioning == null ? List.of() : List.copyOf(provisioning);
    software = software == null ? MachineSoftware.NONE : software;
    watchdogs = watchdogs == null ? NO_WATCHDOGS
        : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(watchdogs));
  }

  private static final java.util.SortedMap<String, WatchdogState> NO_WATCHDOGS =
      java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>());

  /** A newly discovered machine in state New with health Unknown. */
  public static Machine discovered(
      MachineId id,
      String address,
      String hostKeyFingerprint,
      String machineType,
      String scaleUnit,
      String rack,
      MachineFacts facts,
      Instant at,
      long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts,
        LifecycleState.NEW, at, Health.UNKNOWN, at, List.of(), MachineSoftware.NONE,
        null, null, null, null, revision, revision);
  }

  /** This machine moved to {@code to} at {@code at}; entering Failure appends to the history. */
  public Machine withState(LifecycleState to, Instant at, long revision, String cause) {
    List<FailureRecord> history = failures;
    if (to == LifecycleState.FAILURE) {
      PVector<FailureRecord> v = TreePVector.from(failures).plus(new FailureRecord(revision, at, cause));
      history = v.size() > MAX_FAILURES ? v.subList(v.size() - MAX_FAILURES, v.size()) : v;
    }
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, to,
        at, health, healthSince, history, software, watchdogs, repair, silencedUntil,
        provisioning, createdRevision, revision);
  }

  /** This machine with a new health verdict. */
  public Machine withHealth(Health to, Instant at, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, to, at, failures, software, watchdogs, repair, silencedUntil, provisioning,
        createdRevision, revision);
  }

  /** This machine placed in a type, scale unit and rack. */
  public Machine withPlacement(String type, String unit, String newRack, long revision) {
    return new Machine(id, address, hostKeyFingerprint, type, unit, newRack, facts, state,
        stateSince, health, healthSince, failures, software, watchdogs, repair, silencedUntil,
        provisioning, createdRevision, revision);
  }

  /** This machine with another pinned host key. */
  public Machine withHostKey(String fingerprint, long revision) {
    return new Machine(id, address, fingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, software, watchdogs, repair, silencedUntil,
        provisioning, createdRevision, revision);
  }

  /** This machine with changed manifests. */
  public Machine withSoftware(MachineSoftware to, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, to, watchdogs, repair, silencedUntil,
        provisioning, createdRevision, revision);
  }

  /** This machine with changed watchdog states and the overall health they give. */
  public Machine withWatchdogs(java.util.SortedMap<String, WatchdogState> to, Health overall,
      Instant at, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, overall, overall == health ? healthSince : at, failures, software, to, repair,
        silencedUntil, provisioning, createdRevision, revision);
  }

  /** This machine with its repair changed (null: none). */
  public Machine withRepair(Repair to, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, software, watchdogs, to, silencedUntil,
        provisioning, createdRevision, revision);
  }

  /** This machine silenced until {@code until} (null: not silenced). */
  public Machine withSilence(Instant until, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, software, watchdogs, repair, until,
        provisioning, createdRevision, revision);
  }

  /** This machine after a human replaced its hardware: New, no history, watchdogs or repair. */
  public Machine replaced(Instant at, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts,
        LifecycleState.NEW, at, Health.UNKNOWN, at, List.of(), MachineSoftware.NONE, null, null,
        null, null, createdRevision, revision);
  }

  /** This machine with one more provisioning step (the oldest dropped beyond the cap). */
  public Machine withProvisioningStep(ProvisioningStep step, long revision) {
    PVector<ProvisioningStep> v = TreePVector.from(provisioning).plus(step);
    List<ProvisioningStep> kept = v.size() > MAX_PROVISIONING_STEPS
        ? v.subList(v.size() - MAX_PROVISIONING_STEPS, v.size()) : v;
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, software, watchdogs, repair, silencedUntil, kept,
        createdRevision, revision);
  }

  /** The worst verdict of {@code watchdogs}: Error, else Warning, else OK, else Unknown. */
  public static Health overall(java.util.Collection<WatchdogState> watchdogs) {
    Health worst = Health.UNKNOWN;
    for (WatchdogState w : watchdogs) {
      Health h = w.status();
      if (h == Health.ERROR) {
        return h;
      }
      if (h == Health.WARNING || h == Health.OK && worst == Health.UNKNOWN) {
        worst = h;
      }
    }
    return worst;
  }
}
