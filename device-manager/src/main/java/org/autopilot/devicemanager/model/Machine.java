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
    long createdRevision,
    long version) {

  /** How much failure history a machine keeps. */
  public static final int MAX_FAILURES = 32;

  /** Normalises collections to immutable, never-null values. */
  public Machine {
    facts = facts == null ? MachineFacts.UNKNOWN : facts;
    failures = failures == null ? List.of() : List.copyOf(failures);
    software = software == null ? MachineSoftware.NONE : software;
  }

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
        revision, revision);
  }

  /** This machine moved to {@code to} at {@code at}; entering Failure appends to the history. */
  public Machine withState(LifecycleState to, Instant at, long revision, String cause) {
    List<FailureRecord> history = failures;
    if (to == LifecycleState.FAILURE) {
      PVector<FailureRecord> v = TreePVector.from(failures).plus(new FailureRecord(revision, at, cause));
      history = v.size() > MAX_FAILURES ? v.subList(v.size() - MAX_FAILURES, v.size()) : v;
    }
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, to,
        at, health, healthSince, history, software,
        createdRevision, revision);
  }

  /** This machine with a new health verdict. */
  public Machine withHealth(Health to, Instant at, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, to, at, failures, software, createdRevision, revision);
  }

  /** This machine placed in a type, scale unit and rack. */
  public Machine withPlacement(String type, String unit, String newRack, long revision) {
    return new Machine(id, address, hostKeyFingerprint, type, unit, newRack, facts, state,
        stateSince, health, healthSince, failures, software,
        createdRevision, revision);
  }

  /** This machine with changed manifests. */
  public Machine withSoftware(MachineSoftware to, long revision) {
    return new Machine(id, address, hostKeyFingerprint, machineType, scaleUnit, rack, facts, state,
        stateSince, health, healthSince, failures, to, createdRevision, revision);
  }
}
