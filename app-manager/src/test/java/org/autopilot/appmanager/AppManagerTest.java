package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.filesync.BlobServer;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app-manager against a real one-replica DM and a real filesync server on loopback, running
 * real shell processes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppManagerTest {
  static final Duration LIMIT = Duration.ofSeconds(30);
  static final ManifestRef V1 = AgentFixture.V1;
  static final ManifestRef V2 = AgentFixture.V2;
  static final ManifestRef V3 = AgentFixture.V3;
  AgentFixture fx;
  LocalCluster cluster;
  DmClient admin;
  ContentStore seedStore;
  BlobServer seed;
  Path dir;
  AppManager agent;

  @BeforeAll
  void boot(@TempDir Path tmp) throws Exception {
    fx = new AgentFixture(tmp);
    dir = tmp;
    cluster = fx.cluster;
    admin = fx.admin;
    seedStore = fx.seedStore;
    seed = fx.seed;
  }

  @AfterEach
  void stopAgent() throws Exception {
    fx.stopAgents();
    agent = null;
  }

  @AfterAll
  void stop() {
    fx.close();
  }

  void register(Manifest m) {
    fx.register(m);
  }

  MachineId newMachine() {
    return fx.newMachine();
  }

  AppManager startAgent(MachineId id) throws Exception {
    return startAgent(id, -1);
  }

  AppManager startAgent(MachineId id, int peerPort) throws Exception {
    return fx.start(fx.config(id).withPeerPort(peerPort));
  }

  void send(DmCommand c) {
    fx.send(c);
  }

  Machine machine(MachineId id) {
    return fx.machine(id);
  }

  boolean runs(MachineId id, String ref, AppStatus.State state) {
    Machine m = machine(id);
    return ManifestRef.parse(ref).equals(m.software().running())
        && m.software().apps().size() == 1 && m.software().apps().get(0).state() == state;
  }

  @Test
  void assignedManifestIsFetchedStartedRestartedAndSwappedBothWays() throws Exception {
    MachineId id = newMachine();
    agent = startAgent(id);
    send(new AssignManifest(List.of(id), V1, "pre-load"));
    Await.until("web@1 held", LIMIT, () -> machine(id).software().held().contains(V1));
    assertThat(agent.running()).isEmpty();

    send(new ActivateManifest(List.of(id), V1, "go"));
    Await.until("web@1 running", LIMIT, () -> runs(id, "web@1", AppStatus.State.RUNNING));
    Path home = agent.home();
    assertThat(Files.readString(home.resolve("web.out")).trim()).isEqualTo("web@1");
    assertThat(Files.readString(home.resolve("current/root/web/conf/app.conf"))).isEqualTo("version=1\n");
    assertThat(Files.isExecutable(home.resolve("current/root/web/bin/run.sh"))).isTrue();

    ProcessHandle first = agent.appProcesses().get(0);
    first.destroyForcibly();
    Await.until("restart after kill", LIMIT, () -> machine(id).software().apps().get(0).restarts() == 1
        && runs(id, "web@1", AppStatus.State.RUNNING));
    ProcessHandle second = agent.appProcesses().get(0);
    assertThat(second.pid()).isNotEqualTo(first.pid());

    send(new AssignManifest(List.of(id), V2, "pre-load"));
    Await.until("web@2 held", LIMIT, () -> machine(id).software().held().containsAll(List.of(V1, V2)));
    assertThat(second.isAlive()).as("pre-loading does not touch the running app").isTrue();
    send(new ActivateManifest(List.of(id), V2, "upgrade"));
    Await.until("web@2 running", LIMIT, () -> runs(id, "web@2", AppStatus.State.RUNNING));
    assertThat(second.isAlive()).as("old app stopped before the new one started").isFalse();
    assertThat(Files.readString(home.resolve("web.out")).trim()).isEqualTo("web@2");
    assertThat(Files.readSymbolicLink(home.resolve("current")).toString()).endsWith("web@2");

    send(new ActivateManifest(List.of(id), V1, "roll back"));
    Await.until("web@1 running again", LIMIT, () -> runs(id, "web@1", AppStatus.State.RUNNING));
    assertThat(Files.readString(home.resolve("web.out")).trim()).isEqualTo("web@1");
    assertThat(agent.appProcesses()).hasSize(1);
  }

  @Test
  void aMachineFetchesFromAPeerThatHoldsTheFileAlready() throws Exception {
    byte[] big = new byte[6 << 20];
    new Random(3).nextBytes(big);
    String hash = seedStore.put(big);
    byte[] run = "#!/bin/sh\nexec sleep 600\n".getBytes(StandardCharsets.UTF_8);
    register(new Manifest("big", "1", "web", List.of(
        new ManifestFile("big/run.sh", seedStore.put(run), run.length, "0755", null),
        new ManifestFile("big/data.bin", hash, big.length, "0644", null)),
        List.of(new AppSpec("big", "big", "./run.sh", null, "2s", null)), null));
    ManifestRef ref = ManifestRef.parse("big@1");
    MachineId a = newMachine();
    MachineId b = newMachine();
    AppManager first = startAgent(a, 0);
    try {
      send(new AssignManifest(List.of(a), ref, "pre-load"));
      Await.until("a holds big@1", LIMIT, () -> machine(a).software().held().contains(ref));
      long seedSentBefore = seed.bytesSent();
      agent = startAgent(b, 0);
      send(new AssignManifest(List.of(b), ref, "pre-load"));
      Await.until("b holds big@1", LIMIT, () -> machine(b).software().held().contains(ref));

      assertThat(agent.swarmStats().chunksFromPeers()).as("chunks from machine a").isPositive();
      assertThat(seed.bytesSent() - seedSentBefore).as("the seed served less than the file")
          .isLessThan(big.length);
      assertThat(Files.readAllBytes(agent.home().resolve("manifests/big@1/root/big/data.bin")))
          .isEqualTo(big);
    } finally {
      first.close();
    }
  }

  @Test
  void aRestartedAgentAdoptsHealthyAppsInsteadOfRestartingThem() throws Exception {
    MachineId id = newMachine();
    agent = startAgent(id);
    send(new AssignManifest(List.of(id), V1, "pre-load"));
    send(new ActivateManifest(List.of(id), V1, "go"));
    Await.until("web@1 running", LIMIT, () -> runs(id, "web@1", AppStatus.State.RUNNING));
    long pid = agent.appProcesses().get(0).pid();

    agent.close();
    agent = startAgent(id);

    assertThat(agent.running()).contains(V1);
    assertThat(agent.apps().get("web").detail()).isEqualTo("adopted pid " + pid);
    assertThat(agent.appProcesses()).singleElement().extracting(ProcessHandle::pid).isEqualTo(pid);
    assertThat(agent.apps().get("web").restarts()).isZero();
  }

  @Test
  void anAppThatKeepsCrashingIsReportedAsACrashLoop() throws Exception {
    MachineId id = newMachine();
    agent = startAgent(id);
    send(new AssignManifest(List.of(id), V3, "pre-load"));
    send(new ActivateManifest(List.of(id), V3, "go"));
    Await.until("crash loop reported", LIMIT, () -> runs(id, "web@3", AppStatus.State.CRASH_LOOP));
    AppStatus s = machine(id).software().apps().get(0);
    assertThat(s.restarts()).isGreaterThanOrEqualTo(5);
    assertThat(s.detail()).contains("exit 3");
  }

  @Test
  void aMachineTokenReportsOnlyForItsOwnMachine() throws Exception {
    MachineId a = newMachine();
    MachineId b = newMachine();
    try (DmClient asA = new DmClient(cluster.apiUrls(), cluster.machineToken(a.value()))) {
      assertThat(asA.send(new ReportSoftware(a, List.of(), null, List.of(), "")).accepted()).isTrue();
      assertThatThrownBy(() -> asA.send(new ReportSoftware(b, List.of(), null, List.of(), "")))
          .hasMessageContaining("may only report about itself");
      assertThatThrownBy(() -> asA.send(new AssignManifest(List.of(a), V1, "self-serve")))
          .hasMessageContaining("403");
    }
    try (DmClient forged = new DmClient(cluster.apiUrls(), "machine:" + a.value() + ":00")) {
      assertThatThrownBy(() -> forged.send(new ReportSoftware(a, List.of(), null, List.of(), "")))
          .hasMessageContaining("401");
    }
  }

  @Test
  void filePathsCannotLeaveTheAppDirectory() {
    Path base = dir.resolve("x");
    assertThat(LocalManifests.inside(base, "web/bin/run.sh")).isEqualTo(base.resolve("web/bin/run.sh"));
    assertThatThrownBy(() -> LocalManifests.inside(base, "web/../../etc/passwd"))
        .hasMessageContaining("'..' segment");
    assertThatThrownBy(() -> LocalManifests.inside(base, "/etc/passwd")).hasMessageContaining("absolute");
  }
}
