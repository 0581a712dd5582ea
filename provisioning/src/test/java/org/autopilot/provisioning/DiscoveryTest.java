package org.autopilot.provisioning;

import org.autopilot.appmanager.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.MarkReplaced;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.provisioning.discovery.Discovery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery against a real DM and simulated machines answering real SSH on a scanned block of
 * loopback ports: machines that appear are registered once with their facts and host keys, by
 * the one replica holding the lease; a changed host key is not accepted; a replaced machine is
 * the same machine.
 */
class DiscoveryTest {
  static final Duration LIMIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  ProvisioningFleet lab;

  @BeforeEach
  void setUp() throws Exception {
    lab = new ProvisioningFleet(dir, () -> MachineAgent.NONE);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void machinesAddedWhileItRunsAreRegisteredOnceWithTheirFactsAndHostKeys() throws Exception {
    ProvisioningService a = lab.service(lab.config("prov-1"));
    ProvisioningService b = lab.service(lab.config("prov-2"));
    List<SimulatedMachine> sims = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sims.add(lab.add("m" + i, i));
    }
    Await.until("3 machines registered", LIMIT, () -> lab.machines().size() == 3);
    for (int i = 3; i < 5; i++) {
      sims.add(lab.add("m" + i, i + 4));
    }
    Await.until("5 machines registered", LIMIT, () -> lab.machines().size() == 5);
    ProvisioningService leader = a.leading() ? a : b;
    int sweeps = leader.sweeps();
    Await.until("two more sweeps", LIMIT, () -> leader.sweeps() >= sweeps + 2);

    assertThat(a.leading() ^ b.leading()).as("exactly one replica leads").isTrue();
    assertThat(lab.machines()).hasSize(5);
    for (SimulatedMachine sim : sims) {
      Machine m = lab.machine(sim.id());
      assertThat(m.state()).isEqualTo(LifecycleState.NEW);
      assertThat(m.address()).isEqualTo("127.0.0.1:" + sim.port());
      assertThat(m.hostKeyFingerprint()).isEqualTo(sim.hostKeyFingerprint());
      assertThat(m.facts().cpus()).isEqualTo(4);
      assertThat(m.facts().memoryBytes()).isEqualTo(8L << 30);
      assertThat(m.facts().disks()).containsExactly("sda");
    }
    List<DmEvent> registered = lab.admin.events(0, 10_000).items().stream()
        .filter(e -> e instanceof MachineRegistered).toList();
    assertThat(registered).hasSize(5);
    assertThat(registered).allSatisfy(e -> assertThat(e.actor()).isEqualTo("provisioning"));
    assertThat(leader.lastSweep().known()).isEqualTo(5);
  }

  @Test
  void aHostWhoseKeyChangedIsNotAcceptedButReportedOnTheMachine() throws Exception {
    ProvisioningService s = lab.service(lab.config("prov-1"));
    SimulatedMachine before = lab.add("m1", 0);
    Await.until("m1 registered", LIMIT, () -> lab.machines().size() == 1);
    String pinned = before.hostKeyFingerprint();

    SimulatedMachine after = lab.rekey("m1", 0);
    assertThat(after.hostKeyFingerprint()).isNotEqualTo(pinned);
    Await.until("the mismatch reported on m1", LIMIT, () -> {
      WatchdogState w = lab.machine("m1").watchdogs().get(Discovery.WATCHDOG);
      return w != null && w.status() == Health.WARNING;
    }, () -> "m1 watchdogs: " + lab.machine("m1").watchdogs());

    Machine m = lab.machine("m1");
    String text = m.watchdogs().get(Discovery.WATCHDOG).text();
    assertThat(text).contains("host key mismatch", pinned, after.hostKeyFingerprint(), "not accepted");
    assertThat(m.hostKeyFingerprint()).as("the pinned key stays").isEqualTo(pinned);
    assertThat(m.health()).isEqualTo(Health.WARNING);
    assertThat(m.state()).isEqualTo(LifecycleState.NEW);
    assertThat(lab.machines()).hasSize(1);
    assertThat(s.lastSweep().mismatches()).isEqualTo(1);
  }

  @Test
  void aMachineBackAsNewAfterReplacementIsRecognisedNotDuplicated() throws Exception {
    ProvisioningService s = lab.service(lab.config("prov-1"));
    SimulatedMachine sim = lab.add("m1", 0);
    Await.until("m1 registered", LIMIT, () -> lab.machines().size() == 1);
    MachineId id = MachineId.of("m1");
    lab.accept(new ChangeState(id, 0, LifecycleState.REPLACE, "test: failed for good"),
        new MarkReplaced(id, "test: RMA-1"));
    int sweeps = s.sweeps();
    Await.until("two more sweeps", LIMIT, () -> s.sweeps() >= sweeps + 2);

    assertThat(lab.machines()).extracting(Machine::id).containsExactly(id);
    Machine m = lab.machine("m1");
    assertThat(m.state()).isEqualTo(LifecycleState.NEW);
    assertThat(m.hostKeyFingerprint()).isEqualTo(sim.hostKeyFingerprint());
    assertThat(lab.admin.events(0, 10_000).items().stream().filter(e -> e instanceof MachineRegistered)
        .collect(Collectors.toList())).hasSize(1);
    assertThat(s.lastSweep().known()).isEqualTo(1);
    assertThat(s.lastSweep().registered()).isZero();
  }
}
