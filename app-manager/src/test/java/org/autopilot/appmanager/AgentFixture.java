package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.RegisterManifest;
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

/**
 * What the app-manager tests run against: a real one-replica DM and a real filesync server on
 * loopback holding {@code web@1} and {@code web@2} (an app that writes its manifest to
 * {@code web.out} and sleeps) and {@code web@3} (an app that exits at once).
 */
final class AgentFixture implements AutoCloseable {
  static final ManifestRef V1 = ManifestRef.parse("web@1");
  static final ManifestRef V2 = ManifestRef.parse("web@2");
  static final ManifestRef V3 = ManifestRef.parse("web@3");

  final Path dir;
  final LocalCluster cluster;
  final DmClient admin;
  final ContentStore seedStore;
  final BlobServer seed;
  private final List<AppManager> started = new java.util.ArrayList<>();
  private int machines;

  AgentFixture(Path dir) throws Exception {
    this.dir = dir;
    cluster = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    cluster.leader(10_000).orElseThrow();
    admin = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN), new Random(1),
        Duration.ofSeconds(10), 3);
    admin.sendAll(List.of(new DefineMachineType("web", null, "setup"),
        new DefineScaleUnit("su-1", "setup")));
    seedStore = new ContentStore(dir.resolve("seed"));
    seed = new BlobServer(seedStore, 0, 8).hostTracker(new org.autopilot.filesync.Tracker()).start(0);
    for (String v : List.of("1", "2")) {
      register(app("web", v, "echo \"$AUTOPILOT_MANIFEST\" > \"$AUTOPILOT_HOME/web.out\"; exec sleep 600"));
    }
    register(app("web", "3", "echo crashing; exit 3"));
  }

  /** A manifest of one app {@code web} running {@code script}, with a config file. */
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

  /** A fresh machine in the DM. */
  MachineId newMachine() {
    MachineId id = MachineId.of("m" + (++machines));
    assertThat(admin.send(new RegisterMachine(id, "127.0.0.1:1", "SHA256:x" + machines, "web",
        "su-1", "r1", MachineFacts.UNKNOWN, "test")).accepted()).isTrue();
    return id;
  }

  /** The test configuration of {@code id}'s agent: short restart timing, its own home. */
  AgentConfig config(MachineId id) {
    return AgentConfig.of(id.value(), cluster.apiUrls(), cluster.machineToken(id.value()),
        dir.resolve("agents").resolve(id.value()), List.of(URI.create("http://127.0.0.1:" + seed.port())))
        .withRestartTiming(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(500))
        .withWatchWait(Duration.ofSeconds(5));
  }

  /** Starts an agent; {@link #stopAgents()} stops it. */
  AppManager start(AgentConfig c) throws Exception {
    AppManager a = new AppManager(c, InstantSource.system(), new Random(7), AgentFaults.NONE).start();
    started.add(a);
    return a;
  }

  /** Stops every agent started and kills their apps, as a power loss would. */
  void stopAgents() throws java.io.IOException {
    for (AppManager a : started) {
      a.close();
      AppManager.killApps(a.home());
    }
    started.clear();
  }

  void send(DmCommand c) {
    var r = admin.send(c);
    assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
  }

  Machine machine(MachineId id) {
    return admin.machine(id).orElseThrow();
  }

  @Override
  public void close() {
    seed.close();
    admin.close();
    cluster.close();
  }
}
