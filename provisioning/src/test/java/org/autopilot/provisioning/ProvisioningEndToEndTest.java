package org.autopilot.provisioning;

import org.autopilot.appmanager.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.fleetsim.Fault;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.provisioning.imaging.Round;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning end to end, nothing faked: a real DM, simulated machines over real SSH on a scanned
 * block of loopback ports, a real deployment server holding a real OS image archive, the real
 * app-manager coming up on each machine once its configuration is installed, burn-in judged on
 * the watchdog reports its agent sends the DM, and the type's released manifest running after.
 */
class ProvisioningEndToEndTest {
  static final Duration LIMIT = Duration.ofSeconds(120);
  @TempDir Path dir;
  ImagingLab lab;

  @BeforeEach
  void setUp() throws Exception {
    lab = new ImagingLab(dir);
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  Machine machine(String id) {
    return lab.lab.machine(id);
  }

  List<String> steps(String id) {
    return machine(id).provisioning().stream().map(ProvisioningStep::step).toList();
  }

  String describe(String id) {
    Machine m = machine(id);
    return id + " " + m.state().label() + " steps " + m.provisioning().stream()
        .map(p -> p.step() + "(" + p.detail() + ")").toList() + " watchdogs " + m.watchdogs().values();
  }

  @Test
  void fiveMachinesAddedWhileItRunsAreDiscoveredOnceTypedImagedBurnedInAndRunTheirManifest() throws Exception {
    ProvisioningService a = lab.lab.service(lab.config("prov-1", Duration.ofSeconds(3)));
    ProvisioningService b = lab.lab.service(lab.config("prov-2", Duration.ofSeconds(3)));
    Await.until("a leader", LIMIT, () -> a.leading() || b.leading());
    List<SimulatedMachine> sims = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sims.add(lab.lab.add("m" + i, i));
    }
    for (SimulatedMachine sim : sims) {
      Await.until(sim.id() + " Healthy and running web@1", LIMIT, () -> {
        Machine m = machine(sim.id());
        return m.state() == LifecycleState.HEALTHY && lab.manifest.equals(m.software().running())
            && m.software().apps().stream().allMatch(x -> x.state() == AppStatus.State.RUNNING);
      }, () -> describe(sim.id()));
    }

    assertThat(lab.lab.machines()).hasSize(5);
    for (SimulatedMachine sim : sims) {
      Machine m = machine(sim.id());
      assertThat(m.machineType()).isEqualTo("web");
      assertThat(m.scaleUnit()).isEqualTo("su-1");
      assertThat(m.rack()).isEqualTo("r1");
      assertThat(sim.reimages()).as("installed once").containsExactly(lab.image);
      assertThat(Files.readString(sim.disk().resolve("opt/os/release"))).isEqualTo("autopilot test os 1\n");
      assertThat(Files.readString(sim.disk().resolve("etc/autopilot/installed-image")).strip()).isEqualTo(lab.image);
      assertThat(steps(sim.id())).containsExactly(Round.BEGIN, Round.REIMAGE, Round.INSTALLED,
          Round.CONFIGURED, Round.RESTART, Round.AGENT_UP, Round.BURNED_IN, Round.SOFTWARE);
      assertThat(m.software().active()).isEqualTo(lab.manifest);
      assertThat(lab.lab.admin.events(m.id(), 0, 10_000).items().stream()
          .filter(e -> e instanceof MachineRegistered)).as("discovered once").hasSize(1);
      List<LifecycleState> path = lab.lab.admin.events(m.id(), 0, 10_000).items().stream()
          .filter(e -> e instanceof StateChanged).map(e -> ((StateChanged) e).to()).toList();
      assertThat(path).containsExactly(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY);
    }
  }

  @Test
  void aMachineWhoseDiskFailsDuringBurnInGoesToFailureAndIntoRepair() throws Exception {
    lab.lab.service(lab.config("prov-1", Duration.ofSeconds(8)));
    SimulatedMachine sim = lab.lab.add("m0", 0);
    Await.until("m0 in BurnIn", LIMIT, () -> machine("m0").state() == LifecycleState.BURN_IN,
        () -> describe("m0"));
    sim.inject(Fault.DISK_ERROR);

    Await.until("m0 failed burn-in", LIMIT, () -> !machine("m0").failures().isEmpty(), () -> describe("m0"));
    Machine m = machine("m0");
    assertThat(m.failures().get(0).cause()).startsWith("burn-in failed: disk: ").contains("I/O error");
    assertThat(steps("m0")).contains(Round.BURN_IN_FAILED).doesNotContain(Round.BURNED_IN);
    Await.until("the DM chose a repair", LIMIT, () -> lab.lab.admin.decisions(MachineId.of("m0"), 0, 100)
        .items().stream().anyMatch(d -> d.kind().equals("chose")));
    assertThat(lab.lab.admin.events(m.id(), 0, 1000).items().stream()
        .filter(e -> e instanceof StateChanged s && s.to() == LifecycleState.HEALTHY))
        .as("never in service").isEmpty();
  }

  @Test
  void aLeaderKilledMidInstallIsReplacedAndTheMachineEndsHealthyInstalledOnce() throws Exception {
    ProvisioningService first = lab.lab.service(lab.config("prov-1", Duration.ofSeconds(2)));
    Await.until("prov-1 leads", LIMIT, first::leading);
    ProvisioningService second = lab.lab.service(lab.config("prov-2", Duration.ofSeconds(2)));
    SimulatedMachine sim = lab.lab.add("m0", 0);
    Await.until("the reimage reached m0", LIMIT, () -> !sim.reimages().isEmpty(), () -> describe("m0"));
    first.crash();

    Await.until("m0 Healthy", LIMIT, () -> machine("m0").state() == LifecycleState.HEALTHY, () -> describe("m0"));
    assertThat(second.leading()).isTrue();
    assertThat(sim.reimages()).as("installed once").containsExactly(lab.image);
    List<ProvisioningStep> steps = machine("m0").provisioning();
    assertThat(steps.stream().filter(p -> p.step().equals(Round.REIMAGE))).hasSize(1);
    assertThat(steps.get(0).holder()).isEqualTo("prov-1");
    assertThat(steps.get(steps.size() - 1).holder()).isEqualTo("prov-2");
    assertThat(steps.get(steps.size() - 1).epoch()).isGreaterThan(steps.get(0).epoch());
  }

  @Test
  void aMachineWhoseHostKeyIsNotThePinnedOneIsNeitherAcceptedNorTouchedUntilAnOperatorPinsIt() throws Exception {
    SimulatedMachine sim = lab.lab.add("m0", 0);
    String impostor = "SHA256:" + "A".repeat(43);
    lab.lab.accept(new org.autopilot.devicemanager.command.RegisterMachine(MachineId.of("m0"),
        "127.0.0.1:" + sim.port(), impostor, "web", "su-1", "r1", null, "registered by hand with another key"));
    ProvisioningService s = lab.lab.service(lab.config("prov-1", Duration.ofSeconds(2)));
    Await.until("the mismatch reported and imaging holding", LIMIT, () -> {
      var w = machine("m0").watchdogs().get(org.autopilot.provisioning.discovery.Discovery.WATCHDOG);
      String last = s.lastStep("m0");
      return w != null && last != null && last.startsWith("hold: host key mismatch");
    }, () -> describe("m0") + "; last step " + s.lastStep("m0"));
    int sweeps = s.sweeps();
    Await.until("two more sweeps", LIMIT, () -> s.sweeps() >= sweeps + 2);

    Machine m = machine("m0");
    assertThat(m.state()).isEqualTo(LifecycleState.NEW);
    assertThat(m.hostKeyFingerprint()).isEqualTo(impostor);
    assertThat(m.provisioning()).as("nothing begun").isEmpty();
    assertThat(sim.reimages()).as("nothing sent to it").isEmpty();
    assertThat(s.lastStep("m0")).contains(impostor, sim.hostKeyFingerprint(), "nothing was sent");
    assertThat(lab.lab.admin.incidents()).as("one incident stops automation on m0")
        .filteredOn(i -> i.scope().equals("machine:m0")).singleElement()
        .satisfies(i -> assertThat(i.open()).isTrue())
        .satisfies(i -> assertThat(i.reason()).contains("presented " + sim.hostKeyFingerprint(), "seen by provisioning"));

    // an operator checks the machine and pins the key it presents: from then on it is trusted
    lab.lab.accept(new org.autopilot.devicemanager.command.PinHostKey(MachineId.of("m0"), m.version(),
        sim.hostKeyFingerprint(), "test: reinstalled, key checked on the console"));
    assertThat(lab.lab.admin.incidents()).filteredOn(i -> i.scope().equals("machine:m0"))
        .as("the pin resolved it").allMatch(i -> !i.open());
    Await.until("m0 provisioned under the pinned key", LIMIT, () -> machine("m0").state() == LifecycleState.HEALTHY,
        () -> describe("m0") + "; last step " + s.lastStep("m0"));
    assertThat(machine("m0").watchdogs().get(org.autopilot.provisioning.discovery.Discovery.WATCHDOG).status())
        .as("discovery sees the pinned key again").isEqualTo(org.autopilot.devicemanager.model.Health.OK);
    assertThat(sim.reimages()).containsExactly(lab.image);
  }

  @Test
  void aReplacedMachineComesBackAsNewAndIsProvisionedAgainAsTheSameMachine() throws Exception {
    lab.lab.service(lab.config("prov-1", Duration.ofSeconds(1)));
    SimulatedMachine sim = lab.lab.add("m0", 0);
    Await.until("m0 Healthy with its software", LIMIT, () -> machine("m0").state() == LifecycleState.HEALTHY
        && steps("m0").contains(Round.SOFTWARE), () -> describe("m0"));
    MachineId id = MachineId.of("m0");
    lab.lab.accept(new org.autopilot.devicemanager.command.ChangeState(id, 0, LifecycleState.REPLACE, "test: broken"),
        new org.autopilot.devicemanager.command.MarkReplaced(id, "test: RMA-9"));

    Await.until("m0 provisioned again", LIMIT, () -> machine("m0").state() == LifecycleState.HEALTHY
        && machine("m0").provisioning().stream().anyMatch(p -> p.step().equals(Round.SOFTWARE)),
        () -> describe("m0"));
    assertThat(lab.lab.machines()).extracting(Machine::id).containsExactly(id);
    assertThat(sim.reimages()).containsExactly(lab.image, lab.image);
    assertThat(steps("m0")).containsExactly(Round.BEGIN, Round.REIMAGE, Round.INSTALLED,
        Round.CONFIGURED, Round.RESTART, Round.AGENT_UP, Round.BURNED_IN, Round.SOFTWARE);
  }
}
