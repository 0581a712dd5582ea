package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
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
  LocalCluster cluster;
  DmClient admin;
  ContentStore seedStore;
  BlobServer seed;
  Path dir;
  int machines;
  AppManager agent;

  @BeforeAll
  void boot(@TempDir Path tmp) throws Exception {
    dir = tmp;
    cluster = LocalCluster.create(tmp.resolve("dm"), 1, 0, InstantSource.system()).start();
    cluster.leader(10_000).orElseThrow();
    admin = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN), new Random(1),
        Duration.ofSeconds(10), 3);
    admin.sendAll(List.of(new DefineMachineType("web", null, "setup"),
        new DefineScaleUnit("su-1", "setup")));
    seedStore = new ContentStore(tmp.resolve("seed"));
    seed = new BlobServer(seedStore, 0, 8).hostTracker(new org.autopilot.filesync.Tracker()).start(0);
    for (String v : List.of("1", "2")) {
      register(app("web", v, "echo \"$AUTOPILOT_MANIFEST\" > \"$AUTOPILOT_HOME/web.out\"; exec sleep 600"));
    }
    register(app("web", "3", "echo crashing; exit 3"));
  }

  @AfterEach
  void stopAgent() throws Exception {
    if (agent != null) {
      agent.close();
      AppManager.killApps(agent.home());
      agent = null;
    }
  }

  @AfterAll
  void stop() {
    seed.close();
    admin.close();
    cluster.close();
  }

  Manifest app(String name, String version, String script) throws Exception {
    byte[] run = ("#!/bin/sh\n" + script + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] conf = ("version=" + version + "\n").getBytes(StandardCharsets.UTF_8);
    String runHash = seedStore.put(run);
    String confHash = seedStore.put(conf);
    return new Manifest(name, version, "web", List.of(
        new ManifestFile("web/bin/run.sh", runHash, run.length, "0755", null),
        new ManifestFile("web/conf/app.conf", confHash, conf.length, "0644", null)),
        List.of(new AppSpec("web", "web", "bin/run.sh", null, "2s", null)), null);
  }

  void register(Manifest m) {
    assertThat(admin.send(new RegisterManifest(m, null, "test")).accepted()).isTrue();
  }

  /** A fresh machine in the DM with its own agent home. */
  MachineId newMachine() throws Exception {
    MachineId id = MachineId.of("m" + (++machines));
    assertThat(admin.send(new RegisterMachine(id, "127.0.0.1:1", "SHA256:x" + machines, "web",
        "su-1", "r1", MachineFacts.UNKNOWN, "test")).accepted()).isTrue();
    return id;
  }

  AppManager startAgent(MachineId id) throws Exception {
    return startAgent(id, -1);
  }

  AppManager startAgent(MachineId id, int peerPort) throws Exception {
    AgentConfig c = AgentConfig.of(id.value(), cluster.apiUrls(), cluster.machineToken(id.value()),
        dir.resolve("agents").resolve(id.value()), List.of(URI.create("http://127.0.0.1:" + seed.port())))
        .withRestartTiming(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(500))
        .withWatchWait(Duration.ofSeconds(5)).withPeerPort(peerPort);
    return new AppManager(c, InstantSource.system(), new Random(7), AgentFaults.NONE).start();
  }

  void send(DmCommand c) {
    var r = admin.send(c);
    assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
  }

  Machine machine(MachineId id) {
    return admin.machine(id).orElseThrow();
  }

  boolean runs(MachineId id, String ref, AppStatus.State state) {
    Machine m = machine(id);
    return ManifestRef.parse(ref).equals(m.software().running())
        && m.software().apps().size() == 1 && m.software().apps().get(0).state() == state;
  }

  static final ManifestRef V1 = ManifestRef.parse("web@1");
  static final ManifestRef V2 = ManifestRef.parse("web@2");
  static final ManifestRef V3 = ManifestRef.parse("web@3");

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
