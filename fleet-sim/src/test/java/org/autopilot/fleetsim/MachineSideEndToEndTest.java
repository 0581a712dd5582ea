package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.AppManager;
import org.autopilot.appmanager.Await;
import org.autopilot.appmanager.WatchdogConfig;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.DeploymentConfig;
import org.autopilot.deployment.DeploymentServer;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.watchdogs.WatchdogVerdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine side end to end: a real DM, two deployment server replicas, and simulated
 * machines reached over real SSH whose agent is the real app-manager running real processes.
 */
class MachineSideEndToEndTest {
  static final Duration LIMIT = Duration.ofSeconds(40);
  static final ManifestRef V1 = ManifestRef.parse("web@1");
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  DeploymentServer deployA;
  DeploymentServer deployB;
  SimulatedFleet fleet;
  SshProbe ssh;

  @BeforeEach
  void setUp() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    admin.sendAll(List.of(new DefineMachineType("web", "img-1", "setup"),
        new DefineScaleUnit("su-1", "setup")));
    int pa = LocalCluster.freePort();
    int pb = LocalCluster.freePort();
    URI ua = URI.create("http://127.0.0.1:" + pa);
    URI ub = URI.create("http://127.0.0.1:" + pb);
    String upload = TokenAuthenticator.sha256("up");
    deployA = new DeploymentServer(DeploymentConfig.of("a", dir.resolve("deploy-a"), pa, List.of(ub), upload), new Random(1)).start();
    deployB = new DeploymentServer(DeploymentConfig.of("b", dir.resolve("deploy-b"), pb, List.of(ua), upload), new Random(2)).start();

    byte[] script = "#!/bin/sh\necho \"$AUTOPILOT_MANIFEST $$\" >> \"$AUTOPILOT_HOME/starts\"\nexec sleep 600\n"
        .getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(dir.resolve("run.sh"), script);
    String hash = deployA.store().put(script);
    new DeploymentClient(List.of(ua), "up", new Random(1)).upload(hash, file);
    Manifest m = new Manifest("web", "1", "web",
        List.of(new ManifestFile("web/run.sh", hash, script.length, "0755", null)),
        List.of(new AppSpec("web", "web", "./run.sh", null, "2s", null)), null);
    assertThat(admin.send(new RegisterManifest(m, null, "test")).accepted()).isTrue();

    KeyPair operator = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    List<URI> sources = List.of(ua, ub);
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()),
        () -> new AppManagerAgent(machine -> AgentConfig.of(machine.id(), dm.apiUrls(),
                dm.machineToken(machine.id()), machine.disk().resolve("autopilot"), sources)
            .withRestartTiming(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(500))
            .withWatchWait(Duration.ofSeconds(5))
            .withWatchdogs(WatchdogConfig.DEFAULTS.withTiming(Duration.ofMillis(200), Duration.ofSeconds(5)))),
        Duration.ofMillis(300));
    ssh = new SshProbe(operator);
  }

  @AfterEach
  void tearDown() throws Exception {
    ssh.close();
    fleet.close();
    deployA.close();
    deployB.close();
    admin.close();
    dm.close();
  }

  SimulatedMachine machineRunningV1(String id) throws Exception {
    MachineId mid = MachineId.of(id);
    SimulatedMachine sim = fleet.add(id, 0);
    assertThat(admin.send(new RegisterMachine(mid, "127.0.0.1:" + sim.port(), "SHA256:k", "web",
        "su-1", "r1", MachineFacts.UNKNOWN, "test")).accepted()).isTrue();
    assertThat(admin.send(new AssignManifest(List.of(mid), V1, "deploy")).accepted()).isTrue();
    assertThat(admin.send(new ActivateManifest(List.of(mid), V1, "deploy")).accepted()).isTrue();
    Await.until(id + " runs web@1", LIMIT, () -> running(id, AppStatus.State.RUNNING));
    return sim;
  }

  boolean running(String id, AppStatus.State state) {
    Machine m = admin.machine(MachineId.of(id)).orElseThrow();
    return V1.equals(m.software().running()) && !m.software().apps().isEmpty()
        && m.software().apps().get(0).state() == state;
  }

  List<String> starts(SimulatedMachine m) {
    Path f = m.disk().resolve("autopilot/starts");
    try {
      return Files.exists(f) ? Files.readAllLines(f) : List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void rebootOverSshStopsTheAppsAndTheAgentAndBringsBothBack() throws Exception {
    SimulatedMachine m = machineRunningV1("sim-1");
    assertThat(starts(m)).hasSize(1);
    long pid = Long.parseLong(starts(m).get(0).split(" ")[1]);
    assertThat(alive(pid)).isTrue();

    ssh.run(m.port(), "reboot");
    Await.until("machine back", LIMIT, () -> m.boots() == 2 && m.power() == SimulatedMachine.Power.ON);
    Await.until("the reboot killed the app", LIMIT, () -> !alive(pid));
    Await.until("app started again", LIMIT, () -> starts(m).size() == 2 && running("sim-1", AppStatus.State.RUNNING));
    long second = Long.parseLong(starts(m).get(1).split(" ")[1]);
    assertThat(second).isNotEqualTo(pid);
    assertThat(alive(second)).isTrue();
  }

  @Test
  void reimageOverSshWipesTheDiskAndTheAgentFetchesEverythingAgain() throws Exception {
    SimulatedMachine m = machineRunningV1("sim-2");
    Files.writeString(m.disk().resolve("scratch"), "left by an operator");
    deployA.close();

    assertThat(ssh.run(m.port(), "reimage img-2").exit()).isZero();
    Await.until("reimaged", LIMIT, () -> m.boots() == 2 && m.power() == SimulatedMachine.Power.ON);
    assertThat(m.disk().resolve("scratch")).doesNotExist();
    assertThat(Files.readString(m.disk().resolve("image")).trim()).isEqualTo("img-2");
    Await.until("app running from a fresh copy", LIMIT, () -> starts(m).size() == 1
        && running("sim-2", AppStatus.State.RUNNING));
    assertThat(m.disk().resolve("autopilot/current/root/web/run.sh")).isExecutable();
  }

  @Test
  void injectedFaultsReachTheAgentAndClearingThemHeals() throws Exception {
    SimulatedMachine m = machineRunningV1("sim-3");

    m.inject(Fault.CRASHING_APP);
    Await.until("crash loop reported", LIMIT, () -> running("sim-3", AppStatus.State.CRASH_LOOP));
    m.clear(Fault.CRASHING_APP);
    Await.until("running again", LIMIT, () -> running("sim-3", AppStatus.State.RUNNING));

    m.inject(Fault.HUNG_AGENT);
    int before = starts(m).size();
    long pid = Long.parseLong(starts(m).get(before - 1).split(" ")[1]);
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    Await.until("the exit seen", LIMIT, () -> !alive(pid));
    Thread.sleep(1500);
    assertThat(admin.machine(MachineId.of("sim-3")).orElseThrow().software().apps().get(0).state())
        .as("a hung agent reports nothing").isEqualTo(AppStatus.State.RUNNING);
    m.clear(Fault.HUNG_AGENT);
    Await.until("restart reported after the hang", LIMIT,
        () -> starts(m).size() > before && running("sim-3", AppStatus.State.RUNNING));
  }

  WatchdogState watchdog(String id, String name) {
    return admin.machine(MachineId.of(id)).orElseThrow().watchdogs().get(name);
  }

  boolean dmSays(String id, String name, Health h) {
    WatchdogState w = watchdog(id, name);
    return w != null && w.status() == h;
  }

  /** The verdict of the machine's agent's latest round (null while none). */
  static WatchdogVerdict local(SimulatedMachine m, String name) {
    AppManager a = ((AppManagerAgent) m.agent()).manager();
    return a.lastWatchdogRound() == null ? null : a.lastWatchdogRound().verdict(name);
  }

  @Test
  void aDiskErrorFailsTheAgentsDiskWatchdogForRealAndLostHeartbeatsKeepItFromTheDm() throws Exception {
    SimulatedMachine m = machineRunningV1("sim-4");
    Await.until("disk OK in the DM", LIMIT, () -> dmSays("sim-4", "disk", Health.OK)
        && dmSays("sim-4", "heartbeat", Health.OK) && dmSays("sim-4", "apps", Health.OK));

    m.inject(Fault.LOST_HEARTBEAT);
    m.inject(Fault.DISK_ERROR);
    Await.until("three rounds with the disk Error on the machine", LIMIT, () -> {
      WatchdogVerdict v = local(m, "disk");
      return v != null && v.status() == Health.ERROR && v.consecutive() >= 3;
    });
    assertThat(local(m, "disk").text()).contains("unrecoverable I/O error");
    assertThat(watchdog("sim-4", "disk").status()).as("no report left the machine").isEqualTo(Health.OK);

    MachineId id = MachineId.of("sim-4");
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      assertThat(admin.send(new ChangeState(id, 0, s, "stand-in for provisioning")).accepted()).isTrue();
    }
    m.clear(Fault.LOST_HEARTBEAT);
    Await.until("disk Error in the DM", LIMIT, () -> dmSays("sim-4", "disk", Health.ERROR));
    assertThat(watchdog("sim-4", "disk").text()).contains("unrecoverable I/O error")
        .contains(".autopilot-disk-probe");
    Await.until("the DM's fatal rule: Failure, to be replaced", LIMIT, () -> {
      Machine mm = admin.machine(id).orElseThrow();
      return mm.state() == LifecycleState.FAILURE && mm.repair() != null
          && mm.repair().action() == RepairAction.REPLACE;
    });

    m.clear(Fault.DISK_ERROR);
    Await.until("disk OK again", LIMIT, () -> dmSays("sim-4", "disk", Health.OK));
  }
}
