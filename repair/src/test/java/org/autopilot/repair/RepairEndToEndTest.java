package org.autopilot.repair;

import org.autopilot.appmanager.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.WatchdogConfig;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.*;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.AppManagerAgent;
import org.autopilot.fleetsim.Fault;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.repair.plan.CommandMap;
import org.autopilot.watchdogs.service.WatchdogService;
import org.autopilot.watchdogs.service.WatchdogServiceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with nothing faked: simulated machines over SSH run the real app-manager, whose
 * watchdogs report to the real watchdog service; the DM confirms and chooses; the real repair
 * service acts over SSH; the machine comes back. A fault is injected into a machine and
 * nothing else is touched.
 */
class RepairEndToEndTest {
  static final Duration LIMIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  SimulatedFleet fleet;
  WatchdogService watchdogs;
  RepairService repair;

  @BeforeEach
  void setUp() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    accept(new DefineMachineType("web", "os-1", "test"), new DefineScaleUnit("su-1", "test"),
        new SetHealthPolicy("default", new HealthPolicy(3, "3s", "3s", "4s", "30s", "24h",
            List.of(RepairAction.REBOOT, RepairAction.REIMAGE, RepairAction.REPLACE), null, null,
            null), "quick, for a test"));
    KeyPair operator = OperatorKey.loadOrCreate(dir.resolve("operator_key"));
    watchdogs = WatchdogService.start(WatchdogServiceConfig.of("wd-1", "127.0.0.1", 0, dm.apiUrls(),
        dm.token(org.autopilot.devicemanager.api.SatelliteService.WATCHDOG), dm.machineSecret()).withTimes(Duration.ofMillis(100),
        Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2))
        .withProbeLogin("root", dir.resolve("operator_key")), InstantSource.system());
    URI intake = URI.create(watchdogs.url());
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()),
        () -> new AppManagerAgent(m -> AgentConfig.of(m.id(), dm.apiUrls(), dm.machineToken(m.id()),
            m.disk().resolve("autopilot"), List.of())
            .withWatchWait(Duration.ofSeconds(5))
            .withWatchdogs(WatchdogConfig.DEFAULTS.withTiming(Duration.ofMillis(500), Duration.ofSeconds(5))
                .withReport(List.of(intake)))),
        Duration.ofMillis(300));
    repair = RepairService.start(RepairConfig.of("repair-1", dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.REPAIR),
        dir.resolve("operator_key")).withCommands(CommandMap.builtIn())
        .withTiming("0/2 * * * * ?", Duration.ofSeconds(5), 4, Duration.ofSeconds(2)), InstantSource.system());
  }

  @AfterEach
  void tearDown() {
    repair.close();
    fleet.close();
    watchdogs.close();
    admin.close();
    dm.close();
  }

  void accept(DmCommand... commands) {
    for (DmCommand c : commands) {
      CommandResult r = admin.send(c);
      assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
    }
  }

  SimulatedMachine healthy(String id) throws Exception {
    SimulatedMachine sim = fleet.add(id, 0);
    MachineId mid = MachineId.of(id);
    accept(new RegisterMachine(mid, "127.0.0.1:" + sim.port(), sim.hostKeyFingerprint(), "web", "su-1",
        "rack-" + id, MachineFacts.UNKNOWN, "test"));
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      accept(new ChangeState(mid, 0, s, "stands in for provisioning"));
    }
    Await.until(id + " reports through the watchdog service", LIMIT, () -> {
      Machine m = machine(id);
      return m.watchdogs().containsKey("disk") && m.health() != Health.ERROR;
    }, () -> "the DM has " + machine(id).watchdogs().values());
    return sim;
  }

  Machine machine(String id) {
    return admin.machine(MachineId.of(id)).orElseThrow();
  }

  List<String> decisions(String id) {
    return admin.decisions(MachineId.of(id), 0, 1000).items().stream()
        .map(d -> d.kind() + ": " + d.text()).toList();
  }

  @Test
  void aHungAgentIsNoticedByItsSilenceRebootedOverSshAndTrustedAgainAfterItsProbation() throws Exception {
    SimulatedMachine sim = healthy("m1");
    SimulatedMachine bystander = healthy("m2");

    sim.inject(Fault.HUNG_AGENT);

    Await.until("m1 repaired and Healthy again", LIMIT, () -> {
      Machine m = machine("m1");
      return m.state() == LifecycleState.HEALTHY && m.repair() != null
          && m.repair().status() == Repair.Status.HEALED;
    });
    Machine m = machine("m1");
    assertThat(m.repair().action()).isEqualTo(RepairAction.REBOOT);
    assertThat(m.failures()).singleElement().satisfies(f -> assertThat(f.cause()).startsWith("heartbeat: "));
    assertThat(sim.boots()).as("rebooted once, over SSH").isEqualTo(2);
    assertThat(sim.faults()).as("the reboot cured the hung agent").doesNotContain(Fault.HUNG_AGENT);
    assertThat(m.watchdogs().get("heartbeat").status()).isEqualTo(Health.OK);
    assertThat(decisions("m1")).containsSubsequence(
        decisions("m1").stream().filter(d -> d.startsWith("confirmed: Failure: heartbeat")).findFirst().orElseThrow(),
        "chose: Reboot: 1st failure within 24h (" + m.failures().get(0).cause() + ")")
        .anySatisfy(d -> assertThat(d).startsWith("claimed: Reboot handed out to repair-1"))
        .anySatisfy(d -> assertThat(d).startsWith("done: Reboot done"))
        .anySatisfy(d -> assertThat(d).startsWith("healthy: Healthy: no confirmed Error for 4s after Reboot"));
    assertThat(bystander.boots()).as("nothing happened to the healthy machine").isEqualTo(1);
    assertThat(machine("m2").state()).isEqualTo(LifecycleState.HEALTHY);
  }

  @Test
  void aDiskThatFailsForRealIsReplacedAtOnceAndComesBackAsNewOnceAHumanSwappedIt() throws Exception {
    SimulatedMachine sim = healthy("m1");

    sim.inject(Fault.DISK_ERROR);

    Await.until("m1 taken out for replacement", LIMIT, () -> {
      Machine m = machine("m1");
      return m.state() == LifecycleState.REPLACE && m.repair() != null
          && m.repair().status() == Repair.Status.DONE;
    });
    Machine m = machine("m1");
    assertThat(m.repair().action()).isEqualTo(RepairAction.REPLACE);
    assertThat(m.repair().urgent()).isTrue();
    assertThat(m.failures().get(0).cause()).contains("disk: ").contains("unrecoverable I/O error")
        .contains("[fatal");
    Await.until("the replace command powered it off", LIMIT,
        () -> sim.power() == SimulatedMachine.Power.OFF);

    accept(new MarkReplaced(MachineId.of("m1"), "RMA 1234: disk swapped"));
    assertThat(machine("m1").state()).isEqualTo(LifecycleState.NEW);
    assertThat(machine("m1").failures()).isEmpty();
  }
}
