package org.autopilot.repair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.command.SetHealthPolicy;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.repair.plan.CommandMap;

/**
 * A real DM (one replica on loopback) and simulated machines reached over real SSH, with what a
 * repair test needs: machines made Healthy, made to fail through watchdog reports, policies set,
 * repair service replicas started and closed.
 */
final class RepairFleet implements AutoCloseable {
  static final Duration LIMIT = Duration.ofSeconds(40);
  final Path dir;
  final LocalCluster dm;
  final DmClient admin;
  final Path operatorKey;
  final SimulatedFleet fleet;
  /** Agent starts per machine: one per boot. */
  final Map<String, AtomicInteger> agentStarts = new ConcurrentHashMap<>();
  private final List<RepairService> services = new ArrayList<>();

  RepairFleet(Path dir) throws Exception {
    this.dir = dir;
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    operatorKey = dir.resolve("operator_key");
    KeyPair operator = OperatorKey.loadOrCreate(operatorKey);
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()), () -> new MachineAgent() {
      @Override
      public void start(SimulatedMachine machine) {
        agentStarts.computeIfAbsent(machine.id(), k -> new AtomicInteger()).incrementAndGet();
      }

      @Override
      public void stop() {}
    }, Duration.ofMillis(300));
    accept(new DefineScaleUnit("su-1", "test"));
  }

  void accept(org.autopilot.devicemanager.command.DmCommand c) {
    CommandResult r = admin.send(c);
    assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
  }

  void type(String name, String image) {
    accept(new DefineMachineType(name, image, "test"));
  }

  /** A simulated machine registered with its real host key and moved to Healthy. */
  SimulatedMachine healthy(String id, String type) throws Exception {
    SimulatedMachine sim = fleet.add(id, 0);
    return registerHealthy(sim, type, sim.hostKeyFingerprint());
  }

  /** Registers {@code sim} pinning {@code fingerprint} and moves it to Healthy. */
  SimulatedMachine registerHealthy(SimulatedMachine sim, String type, String fingerprint) {
    MachineId mid = MachineId.of(sim.id());
    accept(new RegisterMachine(mid, "127.0.0.1:" + sim.port(), fingerprint, type, "su-1",
        "rack-" + sim.id(), MachineFacts.UNKNOWN, "test"));
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN,
        LifecycleState.HEALTHY)) {
      accept(new ChangeState(mid, 0, s, "test"));
    }
    return sim;
  }

  /** Three Error reports in a row from watchdog {@code watchdog}: a confirmed failure. */
  void fail(String id, String watchdog, String text) {
    for (int n = 1; n <= 3; n++) {
      accept(new ReportWatchdogs(List.of(new MachineReport(MachineId.of(id),
          List.of(new Verdict(watchdog, Health.ERROR, text, n)))), "test watchdog"));
    }
  }

  /** A policy with this ladder and windows (others default) and an action timeout. */
  void policy(String scope, List<RepairAction> ladder, List<HealthPolicy.Window> windows,
      String actionTimeout) {
    accept(new SetHealthPolicy(scope, new HealthPolicy(null, null, null, null, actionTimeout, null,
        ladder, null, windows, null), "test"));
  }

  Machine machine(String id) {
    return admin.machine(MachineId.of(id)).orElseThrow();
  }

  Repair repair(String id) {
    return machine(id).repair();
  }

  /** A repair service replica with short timings; closed with the fleet. */
  RepairService service(String holder, CommandMap commands, int parallelism) throws Exception {
    RepairConfig c = RepairConfig.of(holder, dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.REPAIR), operatorKey)
        .withCommands(commands)
        .withTiming("* * * * * ?", Duration.ofSeconds(2), parallelism, Duration.ofSeconds(1))
        .withSshTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));
    RepairService s = RepairService.start(c, InstantSource.system());
    synchronized (services) {
      services.add(s);
    }
    return s;
  }

  @Override
  public void close() {
    synchronized (services) {
      services.forEach(RepairService::close);
    }
    fleet.close();
    admin.close();
    dm.close();
  }
}
