package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;
import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.time.Duration;
import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.api.Test;

class FleetStateMachineTest {
  final FleetScript s = new FleetScript().given(type("web"), unit("su-1"));

  @Test
  void registeringAMachineRecordsItAsNewWithUnknownHealth() {
    CommandResult r = s.when(register("m1", "web", "su-1"));

    assertThat(r.accepted()).isTrue();
    assertThat(r.events()).singleElement().isInstanceOfSatisfying(MachineRegistered.class, e -> {
      assertThat(e.revision()).isEqualTo(3);
      assertThat(e.actor()).isEqualTo("test-operator");
      assertThat(e.cause()).isEqualTo("discovered by scan");
      assertThat(e.at()).isEqualTo(s.now);
    });
    Machine m = s.machine("m1");
    assertThat(m.state()).isEqualTo(NEW);
    assertThat(m.health()).isEqualTo(Health.UNKNOWN);
    assertThat(m.version()).isEqualTo(3);
    assertThat(m.facts().cpus()).isEqualTo(4);
  }

  @Test
  void aMachineWalksTheWholeLifecycleAndComesBackAsNewAfterReplace() {
    s.given(register("m1", "web", "su-1"));
    for (LifecycleState to : List.of(PROVISIONING, BURN_IN, HEALTHY, PROBATION, FAILURE,
        PROBATION, HEALTHY, FAILURE, REPLACE, NEW, PROVISIONING)) {
      CommandResult r = s.when(move("m1", to));
      assertThat(r.accepted()).as("move to %s: %s", to, r.reason()).isTrue();
      assertThat(s.machine("m1").state()).isEqualTo(to);
    }
    assertThat(s.machine("m1").failures()).hasSize(2);
    assertThat(s.events()).filteredOn(e -> e instanceof StateChanged).hasSize(11);
  }

  @Test
  void anIllegalMoveIsRejectedWithTheAllowedTargetsAndChangesNothing() {
    s.given(register("m1", "web", "su-1"));
    Fleet before = s.fleet;

    CommandResult r = s.when(move("m1", HEALTHY));

    assertThat(r.accepted()).isFalse();
    assertThat(r.code()).isEqualTo(Rejection.ILLEGAL_TRANSITION);
    assertThat(r.reason()).contains("m1", "New", "Healthy", "Provisioning");
    assertThat(s.fleet).isSameAs(before);
  }

  @Test
  void decommissionedIsTerminal() {
    s.given(register("m1", "web", "su-1"), move("m1", DECOMMISSIONED));
    for (LifecycleState to : LifecycleState.values()) {
      assertThat(s.when(move("m1", to)).code()).isEqualTo(Rejection.ILLEGAL_TRANSITION);
    }
  }

  @Test
  void aCommandBasedOnAnOlderVersionIsRejectedAsStale() {
    s.given(register("m1", "web", "su-1"));
    long seen = s.machine("m1").version();
    s.given(move("m1", PROVISIONING));

    CommandResult r = s.when(new ChangeState(MachineId.of("m1"), seen, BURN_IN, "late"));

    assertThat(r.code()).isEqualTo(Rejection.STALE);
    assertThat(r.reason()).contains("version " + seen);
    assertThat(s.machine("m1").state()).isEqualTo(PROVISIONING);
    long current = s.machine("m1").version();
    assertThat(s.when(new ChangeState(MachineId.of("m1"), current, BURN_IN, "fresh")).accepted())
        .isTrue();
  }

  @Test
  void referencesToUnknownThingsAreRejected() {
    assertThat(s.when(register("m1", "db", "su-1")).code()).isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.when(register("m1", "web", "su-9")).code()).isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.when(move("ghost", PROVISIONING)).code()).isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.fleet.machines()).isEmpty();
  }

  @Test
  void malformedCommandsAreRejectedAsInvalid() {
    assertThat(s.when(new DefineMachineType("Bad Name!", null, "")).code())
        .isEqualTo(Rejection.INVALID);
    assertThat(s.when(new RegisterMachine(MachineId.of("m1"), " ", "SHA256:k", null, null, null,
        null, "")).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.when(new ChangeState(null, 0, HEALTHY, "")).code()).isEqualTo(Rejection.INVALID);
    assertThat(s.when(new ReportHealth(MachineId.of("ghost"), null, "")).code())
        .isEqualTo(Rejection.NOT_FOUND);
  }

  @Test
  void registeringTheSameMachineTwiceIsAConflict() {
    s.given(register("m1", "web", "su-1"));
    assertThat(s.when(register("m1", "web", "su-1")).code()).isEqualTo(Rejection.CONFLICT);
  }

  @Test
  void healthReportsOnlyProduceEventsWhenHealthChanges() {
    s.given(register("m1", "web", "su-1"));
    CommandResult first = s.when(health("m1", Health.OK));
    CommandResult same = s.when(health("m1", Health.OK));
    CommandResult worse = s.when(health("m1", Health.ERROR));

    assertThat(first.events()).singleElement().isInstanceOfSatisfying(WatchdogsReported.class,
        e -> assertThat(e.health()).isEqualTo(Health.OK));
    assertThat(same.accepted()).isTrue();
    assertThat(same.events()).isEmpty();
    assertThat(same.revision()).isEqualTo(first.revision());
    assertThat(worse.events()).singleElement().isInstanceOfSatisfying(WatchdogsReported.class, e -> {
      assertThat(e.changed()).singleElement().satisfies(w -> {
        assertThat(w.name()).isEqualTo("reported");
        assertThat(w.status()).isEqualTo(Health.ERROR);
      });
      assertThat(e.health()).isEqualTo(Health.ERROR);
    });
  }

  @Test
  void placingAMachineChangesItsUnitAndRack() {
    s.given(unit("su-2"), register("m1", "web", "su-1"));
    CommandResult r = s.when(new PlaceMachine(MachineId.of("m1"), 0, "web", "su-2", "r9", "move"));
    assertThat(r.events()).singleElement().isInstanceOf(MachinePlaced.class);
    assertThat(s.machine("m1").scaleUnit()).isEqualTo("su-2");
    assertThat(s.machine("m1").rack()).isEqualTo("r9");
  }

  @Test
  void aLeaseIsExclusiveUntilItExpiresAndThenChangesHandsWithANewEpoch() {
    CommandResult a = s.when(new AcquireLease("repair", "repair-a", 5_000, ""));
    assertThat(a.accepted()).isTrue();
    Lease first = s.fleet.leases().get("repair");
    assertThat(first.epoch()).isEqualTo(1);

    s.after(Duration.ofSeconds(4));
    CommandResult b = s.when(new AcquireLease("repair", "repair-b", 5_000, ""));
    assertThat(b.code()).isEqualTo(Rejection.LEASE_HELD);
    assertThat(b.reason()).contains("repair-a");

    CommandResult renew = s.when(new AcquireLease("repair", "repair-a", 5_000, "renew"));
    assertThat(renew.accepted()).isTrue();
    assertThat(s.fleet.leases().get("repair").epoch()).isEqualTo(1);
    assertThat(s.fleet.leases().get("repair").expiresAt()).isEqualTo(s.now.plusSeconds(5));

    s.after(Duration.ofSeconds(6));
    CommandResult takeover = s.when(new AcquireLease("repair", "repair-b", 5_000, ""));
    assertThat(takeover.accepted()).isTrue();
    Lease second = s.fleet.leases().get("repair");
    assertThat(second.holder()).isEqualTo("repair-b");
    assertThat(second.epoch()).isEqualTo(2);
    assertThat(((LeaseGranted) takeover.events().get(0)).cause()).contains("taken over from repair-a");
  }

  @Test
  void onlyTheHolderMayReleaseALease() {
    s.given(new AcquireLease("provisioning", "p1", 10_000, ""));
    assertThat(s.when(new ReleaseLease("provisioning", "p2", "")).code())
        .isEqualTo(Rejection.LEASE_HELD);
    assertThat(s.when(new ReleaseLease("provisioning", "p1", "shutting down")).accepted()).isTrue();
    assertThat(s.fleet.leases().get("provisioning").heldAt(s.now)).isFalse();
    assertThat(s.when(new AcquireLease("provisioning", "p2", 10_000, "")).accepted()).isTrue();
    assertThat(s.fleet.leases().get("provisioning").epoch())
        .as("released, the lease's epoch still grows with the next holder").isEqualTo(2);
    assertThat(s.when(new AcquireLease("provisioning", "p2", 10, "")).code())
        .as("ttl below the minimum").isEqualTo(Rejection.INVALID);
  }

  @Test
  void theAuditTrailKeepsOnlyTheNewestEvents() {
    FleetScript small = new FleetScript();
    small.fleet = Fleet.empty(3);
    small.given(type("a"), type("b"), type("c"), type("d"), type("e"));
    assertThat(small.fleet.events().keySet()).containsExactly(3L, 4L, 5L);
    assertThat(small.fleet.revision()).isEqualTo(5);
  }

  @Test
  void applyRefusesAnEventThatDoesNotFollowTheRevision() {
    FleetStateMachine rules = new FleetStateMachine();
    DmEvent e = new ScaleUnitDefined(7, s.now, "x", "", new ScaleUnit("su-x", 7));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rules.apply(s.fleet, e))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("revision 7");
  }

  @Test
  void theSameProposalsFromTheSameStartGiveTheSameFleet() {
    FleetScript a = new FleetScript();
    FleetScript b = new FleetScript();
    for (FleetScript x : List.of(a, b)) {
      x.given(type("web"), unit("su-1"), register("m1", "web", "su-1"), move("m1", PROVISIONING),
          health("m1", Health.WARNING), new AcquireLease("repair", "r1", 1000, ""));
    }
    assertThat(a.fleet).isEqualTo(b.fleet);
  }
}
