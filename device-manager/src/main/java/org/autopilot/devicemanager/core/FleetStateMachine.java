package org.autopilot.devicemanager.core;

import static org.autopilot.devicemanager.core.Decision.Rejection.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;

/**
 * The Device Manager's rules. {@link #decide} validates a command against the fleet and returns
 * events or a reasoned rejection, without changing anything; {@link #apply} is the only place
 * the fleet changes, total and deterministic. Neither reads a clock nor does I/O: time is the
 * leader stamp passed in as {@code now}.
 */
public final class FleetStateMachine {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  private static final int MAX_TEXT = 4096;
  static final Duration MIN_LEASE = Duration.ofMillis(100);
  static final Duration MAX_LEASE = Duration.ofMinutes(10);

  /** Decides one proposal against {@code fleet} at leader time {@code now}; never mutates. */
  public Decision decide(Fleet fleet, Proposal proposal, Instant now) {
    DmCommand cmd = proposal.command();
    if (cmd == null) {
      return Decision.reject(INVALID, "command is missing");
    }
    String actor = proposal.actor();
    if (actor == null || actor.isBlank()) {
      return Decision.reject(INVALID, "actor is missing");
    }
    String cause = cmd.cause() == null ? "" : cmd.cause();
    if (cause.length() > MAX_TEXT) {
      return Decision.reject(INVALID, "cause is longer than " + MAX_TEXT + " characters");
    }
    Events out = new Events(fleet.revision(), now, actor, cause);
    if (cmd instanceof DefineMachineType c) {
      return defineType(fleet, c, out);
    } else if (cmd instanceof DefineScaleUnit c) {
      return defineUnit(fleet, c, out);
    } else if (cmd instanceof RegisterMachine c) {
      return register(fleet, c, out);
    } else if (cmd instanceof PlaceMachine c) {
      return place(fleet, c, out);
    } else if (cmd instanceof ChangeState c) {
      return changeState(fleet, c, out);
    } else if (cmd instanceof ReportHealth c) {
      return HealthRules.reportHealth(fleet, c, out);
    } else if (cmd instanceof AcquireLease c) {
      return acquire(fleet, c, out, now);
    } else if (cmd instanceof ReleaseLease c) {
      return release(fleet, c, out);
    } else if (cmd instanceof RegisterManifest c) {
      return ManifestRules.register(fleet, c, out);
    } else if (cmd instanceof AssignManifest c) {
      return ManifestRules.assign(fleet, c, out);
    } else if (cmd instanceof UnassignManifest c) {
      return ManifestRules.unassign(fleet, c, out);
    } else if (cmd instanceof ActivateManifest c) {
      return ManifestRules.activate(fleet, c, out);
    } else if (cmd instanceof ReportSoftware c) {
      return ManifestRules.report(fleet, c, out);
    } else if (cmd instanceof StartRollout c) {
      return RolloutRules.start(fleet, c, out);
    } else if (cmd instanceof AdvanceRollout c) {
      return RolloutRules.advance(fleet, c, out);
    } else if (cmd instanceof SteerRollout c) {
      return RolloutRules.steer(fleet, c, out);
    } else if (cmd instanceof SetBudget c) {
      return RolloutRules.setBudget(fleet, c, out);
    } else if (cmd instanceof RecordIngest c) {
      return RolloutRules.recordIngest(fleet, c, out);
    } else if (cmd instanceof ReportWatchdogs c) {
      return HealthRules.report(fleet, c, out);
    } else if (cmd instanceof EvaluateHealth) {
      return HealthRules.evaluate(fleet, out);
    } else if (cmd instanceof SetHealthPolicy c) {
      return HealthRules.setPolicy(fleet, c, out);
    } else if (cmd instanceof ClaimRepair c) {
      return HealthRules.claim(fleet, c, out);
    } else if (cmd instanceof StartRepair c) {
      return HealthRules.start(fleet, c, out);
    } else if (cmd instanceof FinishRepair c) {
      return HealthRules.finish(fleet, c, out);
    } else if (cmd instanceof SilenceMachine c) {
      return HealthRules.silence(fleet, c, out);
    } else if (cmd instanceof MarkReplaced c) {
      return HealthRules.markReplaced(fleet, c, out);
    } else if (cmd instanceof ResolveIncident c) {
      return HealthRules.resolve(fleet, c, out);
    } else if (cmd instanceof ReportProvisioning c) {
      return ProvisioningRules.report(fleet, c, out);
    } else if (cmd instanceof PinHostKey c) {
      return HostKeyRules.pin(fleet, c, out);
    } else if (cmd instanceof ReportHostKeyChange c) {
      return HostKeyRules.report(fleet, c, out);
    }
    throw new AssertionError("unhandled command " + cmd.getClass());
  }

  /** Applies one accepted event; its revision must be exactly the next one. */
  public Fleet apply(Fleet fleet, DmEvent event) {
    if (event.revision() != fleet.revision() + 1) {
      throw new IllegalStateException("event revision " + event.revision()
          + " does not follow fleet revision " + fleet.revision());
    }
    Fleet f = fleet.withClock(event.at());
    if (event instanceof MachineTypeDefined e) {
      return f.withMachineTypes(f.machineTypes().plus(e.machineType().name(), e.machineType()))
          .record(e, Map.of());
    } else if (event instanceof ScaleUnitDefined e) {
      return f.withScaleUnits(f.scaleUnits().plus(e.scaleUnit().name(), e.scaleUnit()))
          .record(e, Map.of());
    } else if (event instanceof MachineRegistered e) {
      return f.record(e, Map.of(e.machine().id(), e.machine()));
    } else if (event instanceof MachinePlaced e) {
      return f.record(e, Map.of(e.machine(), f.machine(e.machine())
          .withPlacement(e.machineType(), e.scaleUnit(), e.rack(), e.revision())));
    } else if (event instanceof StateChanged e) {
      return f.record(e, Map.of(e.machine(), f.machine(e.machine())
          .withState(e.to(), e.at(), e.revision(), e.cause())));
    } else if (event instanceof HealthChanged e) {
      return f.record(e, Map.of(e.machine(), f.machine(e.machine())
          .withHealth(e.to(), e.at(), e.revision())));
    } else if (event instanceof LeaseGranted e) {
      return f.withLeases(f.leases().plus(e.lease().service(), e.lease())).record(e, Map.of());
    } else if (event instanceof LeaseReleased e) {
      // kept as an expired lease, so the next grant's epoch keeps growing (fencing)
      Lease old = f.leases().get(e.service());
      Instant end = old.expiresAt().isBefore(e.at()) ? old.expiresAt() : e.at();
      return f.withLeases(f.leases().plus(e.service(), new Lease(old.service(), old.holder(),
          old.epoch(), old.acquiredAt(), end, e.revision()))).record(e, Map.of());
    }
    Fleet changed = ManifestRules.apply(f, event);
    if (changed == null) {
      changed = RolloutRules.apply(f, event);
    }
    if (changed == null) {
      changed = HealthRules.apply(f, event);
    }
    if (changed == null) {
      changed = ProvisioningRules.apply(f, event);
    }
    if (changed != null) {
      return changed;
    }
    throw new AssertionError("unhandled event " + event.getClass());
  }

  /**
   * Decides and applies in one step; the fleet is unchanged when the command is rejected. A
   * rule that throws (a bug) rejects that command alone, the same way on every replica, rather
   * than stopping the replica: the rules are deterministic, so every replica throws alike.
   */
  public Outcome execute(Fleet fleet, Proposal proposal, Instant now) {
    Decision d;
    Fleet f = fleet;
    try {
      d = decide(fleet, proposal, now);
      if (d instanceof Decision.Accepted a) {
        for (DmEvent e : a.events()) {
          f = apply(f, e);
        }
        return new Outcome(f, new CommandResult(true, f.revision(), null, null, a.events()));
      }
    } catch (RuntimeException e) {
      String what = proposal.command() == null ? "command" : proposal.command().getClass().getSimpleName();
      return new Outcome(fleet, new CommandResult(false, fleet.revision(), INVALID, what
          + " could not be decided (a bug in the DM rules, please report it): " + e, null));
    }
    Decision.Rejected r = (Decision.Rejected) d;
    return new Outcome(fleet, new CommandResult(false, fleet.revision(), r.code(), r.reason(), null));
  }

  /**
   * A fleet after one command and the answer to its sender.
   *
   * @param fleet the fleet afterwards
   * @param result what the sender is told
   */
  public record Outcome(Fleet fleet, CommandResult result) {}

  private Decision defineType(Fleet fleet, DefineMachineType c, Events out) {
    String bad = checkName("machine type", c.name());
    if (bad != null) {
      return Decision.reject(INVALID, bad);
    }
    if (c.image() != null && c.image().length() > 256) {
      return Decision.reject(INVALID, "image reference is longer than 256 characters");
    }
    MachineType old = fleet.machineTypes().get(c.name());
    if (old != null && java.util.Objects.equals(old.image(), c.image())) {
      return Decision.accept(List.of());
    }
    return out.one(e -> new MachineTypeDefined(e.rev, e.at, e.actor, e.cause,
        new MachineType(c.name(), c.image(), e.rev)));
  }

  private Decision defineUnit(Fleet fleet, DefineScaleUnit c, Events out) {
    String bad = checkName("scale unit", c.name());
    if (bad != null) {
      return Decision.reject(INVALID, bad);
    }
    if (fleet.scaleUnits().containsKey(c.name())) {
      return Decision.accept(List.of());
    }
    return out.one(e -> new ScaleUnitDefined(e.rev, e.at, e.actor, e.cause,
        new ScaleUnit(c.name(), e.rev)));
  }

  private Decision register(Fleet fleet, RegisterMachine c, Events out) {
    if (c.machine() == null) {
      return Decision.reject(INVALID, "machine is missing");
    }
    if (blank(c.address()) || c.address().length() > 256) {
      return Decision.reject(INVALID, "address of " + c.machine() + " is missing or too long");
    }
    if (blank(c.hostKeyFingerprint()) || c.hostKeyFingerprint().length() > 256) {
      return Decision.reject(INVALID,
          "hostKeyFingerprint of " + c.machine() + " is missing or too long");
    }
    if (fleet.machine(c.machine()) != null) {
      return Decision.reject(CONFLICT, "machine " + c.machine() + " already exists");
    }
    String bad = checkPlacement(fleet, c.machineType(), c.scaleUnit(), c.rack());
    if (bad != null) {
      return Decision.reject(bad.startsWith("unknown") ? NOT_FOUND : INVALID, bad);
    }
    return out.one(e -> new MachineRegistered(e.rev, e.at, e.actor, e.cause,
        Machine.discovered(c.machine(), c.address(), c.hostKeyFingerprint(), c.machineType(),
            c.scaleUnit(), c.rack(), c.facts(), e.at, e.rev)));
  }

  private Decision place(Fleet fleet, PlaceMachine c, Events out) {
    Machine m = fleet.machine(c.machine());
    Decision bad = checkTarget(c.machine(), m, c.expectedVersion());
    if (bad != null) {
      return bad;
    }
    String badPlace = checkPlacement(fleet, c.machineType(), c.scaleUnit(), c.rack());
    if (badPlace != null) {
      return Decision.reject(badPlace.startsWith("unknown") ? NOT_FOUND : INVALID, badPlace);
    }
    if (java.util.Objects.equals(m.machineType(), c.machineType())
        && java.util.Objects.equals(m.scaleUnit(), c.scaleUnit())
        && java.util.Objects.equals(m.rack(), c.rack())) {
      return Decision.accept(List.of());
    }
    return out.one(e -> new MachinePlaced(e.rev, e.at, e.actor, e.cause, m.id(),
        c.machineType(), c.scaleUnit(), c.rack()));
  }

  private Decision changeState(Fleet fleet, ChangeState c, Events out) {
    Machine m = fleet.machine(c.machine());
    Decision bad = checkTarget(c.machine(), m, c.expectedVersion());
    if (bad != null) {
      return bad;
    }
    if (c.to() == null) {
      return Decision.reject(INVALID, "target state of " + c.machine() + " is missing");
    }
    String stopped = HostKeyRules.stopped(fleet, m);
    if (stopped != null) {
      return Decision.reject(CONFLICT, stopped);
    }
    if (!Transitions.allowed(m.state(), c.to())) {
      return Decision.reject(ILLEGAL_TRANSITION, "machine " + m.id() + " cannot move from "
          + m.state().label() + " to " + c.to().label() + "; allowed: "
          + Transitions.targets(m.state()).stream().map(LifecycleState::label).toList());
    }
    RolloutRules.Out o = new RolloutRules.Out(out);
    o.add(rev -> new StateChanged(rev, o.at, o.actor, o.cause, m.id(), m.state(), c.to()));
    HealthRules.supersede(fleet, m, c.to(), o);
    return Decision.accept(o.list);
  }

  private Decision acquire(Fleet fleet, AcquireLease c, Events out, Instant now) {
    String bad = checkName("service", c.service());
    if (bad != null || blank(c.holder()) || c.holder().length() > 128) {
      return Decision.reject(INVALID, bad != null ? bad : "holder is missing or too long");
    }
    Duration ttl = Duration.ofMillis(c.ttlMillis());
    if (ttl.compareTo(MIN_LEASE) < 0 || ttl.compareTo(MAX_LEASE) > 0) {
      return Decision.reject(INVALID, "ttlMillis " + c.ttlMillis() + " is outside "
          + MIN_LEASE.toMillis() + ".." + MAX_LEASE.toMillis());
    }
    Lease old = fleet.leases().get(c.service());
    boolean mine = old != null && old.holder().equals(c.holder());
    if (old != null && !mine && old.heldAt(now)) {
      return Decision.reject(LEASE_HELD, "lease " + c.service() + " is held by " + old.holder()
          + " until " + old.expiresAt());
    }
    Instant expires = now.plus(ttl);
    if (mine && old.heldAt(now)) {
      return out.one(e -> new LeaseGranted(e.rev, e.at, e.actor, why(e, "renewed"),
          new Lease(c.service(), c.holder(), old.epoch(), old.acquiredAt(), expires, e.rev)));
    }
    long epoch = old == null ? 1 : old.epoch() + 1;
    String how = old == null ? "acquired"
        : mine ? "re-acquired after expiry" : "taken over from " + old.holder() + " after expiry";
    return out.one(e -> new LeaseGranted(e.rev, e.at, e.actor, why(e, how),
        new Lease(c.service(), c.holder(), epoch, now, expires, e.rev)));
  }

  private Decision release(Fleet fleet, ReleaseLease c, Events out) {
    if (c.service() == null) { // the lease map's get(null) throws
      return Decision.reject(INVALID, "service is missing");
    }
    Lease old = fleet.leases().get(c.service());
    if (old == null) {
      return Decision.reject(NOT_FOUND, "lease " + c.service() + " is not held");
    }
    if (!old.holder().equals(c.holder())) {
      return Decision.reject(LEASE_HELD, "lease " + c.service() + " is held by " + old.holder()
          + ", not " + c.holder());
    }
    return out.one(e -> new LeaseReleased(e.rev, e.at, e.actor, e.cause, c.service(), c.holder()));
  }

  private static String why(Events e, String how) {
    return e.cause.isEmpty() ? how : how + ": " + e.cause;
  }

  /** Refuses a command about machine {@code id} ({@code m}: it, or null) that is missing, unknown or stale. */
  static Decision checkTarget(MachineId id, Machine m, long expectedVersion) {
    if (id == null) {
      return Decision.reject(INVALID, "machine is missing");
    }
    if (m == null) {
      return Decision.reject(NOT_FOUND, "machine " + id + " does not exist");
    }
    if (expectedVersion != 0 && expectedVersion != m.version()) {
      return Decision.reject(STALE, "machine " + id + " is at version " + m.version()
          + ", command was based on version " + expectedVersion);
    }
    return null;
  }

  private static String checkPlacement(Fleet fleet, String type, String unit, String rack) {
    if (type != null && !fleet.machineTypes().containsKey(type)) {
      return "unknown machine type '" + type + "'";
    }
    if (unit != null && !fleet.scaleUnits().containsKey(unit)) {
      return "unknown scale unit '" + unit + "'";
    }
    if (rack != null && rack.length() > 64) {
      return "rack label is longer than 64 characters";
    }
    return null;
  }

  private static String checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return what + " name '" + name + "' must match " + NAME.pattern();
    }
    return null;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** Stamps events of one command with consecutive revisions, time, actor and cause. */
  static final class Events {
    final Instant at;
    final String actor;
    final String cause;
    final long rev;

    Events(long base, Instant at, String actor, String cause) {
      this.at = at;
      this.actor = actor;
      this.cause = cause;
      this.rev = base + 1;
    }

    Decision one(java.util.function.Function<Events, DmEvent> make) {
      List<DmEvent> list = new ArrayList<>(1);
      list.add(make.apply(this));
      return Decision.accept(list);
    }
  }
}
