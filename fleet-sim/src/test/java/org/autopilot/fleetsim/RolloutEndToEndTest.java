package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.Await;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.DeploymentConfig;
import org.autopilot.deployment.DeploymentServer;
import org.autopilot.deployment.GitIngest;
import org.autopilot.deployment.GitRepo;
import org.autopilot.deployment.RolloutDriver;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Rollout;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout end to end: manifests committed to a real git repository, ingested, rolled out by the
 * DM unit by unit (poked by the rollout driver) to simulated machines over SSH whose
 * app-managers run real processes.
 */
class RolloutEndToEndTest {
  static final Duration LIMIT = Duration.ofSeconds(90);
  static final List<String> UNITS = List.of("su-1", "su-2", "su-3");
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  DeploymentServer deploy;
  SimulatedFleet fleet;
  GitRepo repo;
  GitIngest ingest;
  RolloutDriver driver;
  final List<String> ids = new ArrayList<>();
  final AtomicInteger maxOut = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    admin.send(new DefineMachineType("web", null, "setup"));
    UNITS.forEach(u -> admin.send(new DefineScaleUnit(u, "setup")));
    admin.send(new SetBudget("unit:su-1", "1", "one machine of a unit out at a time"));
    admin.send(new SetBudget("unit:su-2", "1", ""));
    admin.send(new SetBudget("unit:su-3", "1", ""));
    deploy = new DeploymentServer(DeploymentConfig.of("d1", dir.resolve("deploy"), 0, List.of(),
        TokenAuthenticator.sha256("up")), new Random(1)).start();
    List<URI> sources = List.of(deploy.uri());
    KeyPair operator = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()),
        () -> new AppManagerAgent(m -> AgentConfig.of(m.id(), dm.apiUrls(), dm.machineToken(m.id()),
                m.disk().resolve("autopilot"), sources)
            .withRestartTiming(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(500))
            .withWatchWait(Duration.ofSeconds(5)).withPeerPort(0)),
        Duration.ofMillis(300));
    for (int i = 0; i < 6; i++) {
      String id = "m" + i;
      SimulatedMachine sim = fleet.add(id, 0);
      MachineId mid = MachineId.of(id);
      admin.send(new RegisterMachine(mid, "127.0.0.1:" + sim.port(), sim.hostKeyFingerprint(), "web",
          UNITS.get(i / 2), "r" + i, MachineFacts.UNKNOWN, "test"));
      for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
        admin.send(new ChangeState(mid, 0, s, "stand-in for provisioning"));
      }
      ids.add(id);
    }
    repo = new GitRepo(dir.resolve("repo"));
    ingest = new GitIngest(repo.dir().toString(), "main", "manifests", dir.resolve("mirror"),
        new DeploymentClient(sources, "up", new Random(1)),
        new DmClient(dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.DEPLOYMENT)));
    driver = new RolloutDriver(new DmClient(dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.DEPLOYMENT)), "driver-1",
        Duration.ofMillis(500), InstantSource.system());
  }

  @AfterEach
  void tearDown() throws Exception {
    driver.close();
    fleet.close();
    repo.close();
    deploy.close();
    admin.close();
    dm.close();
  }

  Rollout rollout() {
    return admin.getJson("rollouts").get("items").isEmpty() ? null
        : org.autopilot.devicemanager.core.Json.lenient().convertValue(
            admin.getJson("rollouts").get("items").get(0), Rollout.class);
  }

  /** Waits for the rollout to end, checking the budget (1 per unit) at every look. */
  Rollout awaitEnd(String what) {
    Await.until(what, LIMIT, () -> {
      checkBudget();
      Rollout r = rollout();
      return r != null && !r.status().open();
    });
    return rollout();
  }

  void checkBudget() {
    List<Machine> ms = admin.allMachines(java.util.Map.of());
    for (String u : UNITS) {
      long out = ms.stream().filter(m -> u.equals(m.scaleUnit())
          && (m.state() == LifecycleState.PROBATION || m.state() == LifecycleState.FAILURE)).count();
      maxOut.accumulateAndGet((int) out, Math::max);
      assertThat(out).as("machines of %s out of service", u).isLessThanOrEqualTo(1);
    }
  }

  boolean allRun(ManifestRef ref) {
    return admin.allMachines(java.util.Map.of()).stream().allMatch(m -> ref.equals(m.software().running())
        && !m.software().apps().isEmpty()
        && m.software().apps().get(0).state() == org.autopilot.devicemanager.model.AppStatus.State.RUNNING);
  }

  @Test
  void v2RollsOutUnitByUnitThenACrashingV3RollsBackInTheFirstUnit() throws Exception {
    repo.manifest("web", "1", "web", "exec sleep 600", "1s").commit("web v1");
    ingest.pollOnce();
    assertThat(awaitEnd("v1 released").status()).isEqualTo(Rollout.Status.SUCCEEDED);
    Await.until("every machine runs v1", LIMIT, () -> allRun(ManifestRef.parse("web@1")));

    repo.manifest("web", "2", "web", "exec sleep 600", "1s").commit("web v2");
    ingest.pollOnce();
    Rollout v2 = awaitEnd("v2 released");
    assertThat(v2.status()).as(v2.reason()).isEqualTo(Rollout.Status.SUCCEEDED);
    assertThat(v2.units()).extracting(Rollout.UnitRollout::phase).containsOnly(Rollout.Phase.PASSED);
    List<java.time.Instant> passed = v2.units().stream().map(Rollout.UnitRollout::since).toList();
    assertThat(passed).isSorted();
    Await.until("every machine runs v2", LIMIT, () -> allRun(ManifestRef.parse("web@2")));

    repo.manifest("web", "3", "web", "echo broken; exit 3", "2s").commit("web v3, broken");
    ingest.pollOnce();
    Rollout v3 = awaitEnd("v3 rolled back");
    assertThat(v3.status()).isEqualTo(Rollout.Status.ROLLED_BACK);
    assertThat(v3.units().get(0).phase()).isEqualTo(Rollout.Phase.FAILED);
    assertThat(v3.units().get(1).phase()).isEqualTo(Rollout.Phase.PENDING);
    assertThat(v3.units().get(2).phase()).isEqualTo(Rollout.Phase.PENDING);
    Await.until("every machine back on v2", LIMIT, () -> allRun(ManifestRef.parse("web@2")));
    var events = admin.events(0, 10_000).items();
    assertThat(events).filteredOn(e -> e instanceof org.autopilot.devicemanager.event.ManifestActivated a
        && a.to().equals(ManifestRef.parse("web@3"))).isNotEmpty().allSatisfy(e -> assertThat(
            ((org.autopilot.devicemanager.event.ManifestActivated) e).machine().value()).isIn("m0", "m1"));
    assertThat(maxOut.get()).as("the budget was used").isEqualTo(1);
  }

  @Test
  void aPausedRolloutWaitsUntilResumed() throws Exception {
    repo.manifest("web", "1", "web", "exec sleep 600", "1s").commit("web v1");
    ingest.pollOnce();
    awaitEnd("v1 released");
    repo.manifest("web", "2", "web", "exec sleep 600", "1s").commit("web v2");
    ingest.pollOnce();
    admin.send(new SteerRollout("web", SteerRollout.Action.PAUSE, "hold on"));
    long before = admin.events(0, 10_000).items().stream()
        .filter(e -> e instanceof org.autopilot.devicemanager.event.ManifestActivated).count();
    Thread.sleep(3000);
    assertThat(rollout().status()).isEqualTo(Rollout.Status.PAUSED);
    assertThat(admin.events(0, 10_000).items().stream()
        .filter(e -> e instanceof org.autopilot.devicemanager.event.ManifestActivated).count())
        .as("nothing activated while paused").isEqualTo(before);
    admin.send(new SteerRollout("web", SteerRollout.Action.RESUME, "go"));
    assertThat(awaitEnd("v2 released").status()).isEqualTo(Rollout.Status.SUCCEEDED);
  }
}
