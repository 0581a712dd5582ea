package org.autopilot.collection.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.AppManager;
import org.autopilot.appmanager.Await;
import org.autopilot.appmanager.CollectionConfig;
import org.autopilot.appmanager.CollectionStats;
import org.autopilot.appmanager.WatchdogConfig;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.store.CollectionQueries;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ActivateManifest;
import org.autopilot.devicemanager.command.AssignManifest;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.RegisterManifest;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.filesync.BlobServer;
import org.autopilot.filesync.ContentStore;
import org.autopilot.fleetsim.AppManagerAgent;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real app-manager on a simulated machine ships to real collection replicas: its simulated
 * OS counters, its app's counters and output, watchdog perfdata and its own events arrive and
 * can be queried; when the replica it sends to is killed it fails over to the other; when both
 * are gone its buffer stays bounded (oldest dropped, counted), and it catches up once one is
 * back. Everything on loopback: a one-replica DM, a filesync seed, two replicas on one H2 file.
 */
class AgentShippingTest {
  static final Duration LIMIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  BlobServer seed;
  CollectionService c1;
  CollectionService c2;
  SimulatedFleet fleet;
  CollectionServiceConfig config2;
  final String viewer = TokenAuthenticator.newToken(new SecureRandom());

  @BeforeEach
  void start() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    ContentStore store = new ContentStore(dir.resolve("seed"));
    seed = new BlobServer(store, 0, 8).start(0);
    byte[] run = ("#!/bin/sh\ni=0\nwhile true; do i=$((i+1)); echo \"GET /item/$i 200\"; "
        + "if [ $((i % 3)) = 0 ]; then echo \"ERROR db timeout $i\"; fi; sleep 0.2; done\n")
        .getBytes(StandardCharsets.UTF_8);
    Manifest web = new Manifest("web", "1", "web", List.of(new ManifestFile("web/bin/run.sh", store.put(run),
        run.length, "0755", null)), List.of(new AppSpec("web", "web", "bin/run.sh", null, "2s", null)), null);
    send(new DefineMachineType("web", null, "setup"), new DefineScaleUnit("su-1", "setup"),
        new RegisterManifest(web, null, "setup"));

    DatabaseConfig db = DatabaseConfig.h2(dir.resolve("collection"));
    List<TokenAuthenticator.TokenEntry> readers = List.of(new TokenAuthenticator.TokenEntry("test", Role.VIEWER,
        TokenAuthenticator.sha256(viewer)));
    c1 = CollectionService.start(CollectionServiceConfig.of("c1", "127.0.0.1", 0, db, dm.machineSecret(), readers),
        InstantSource.system());
    c2 = CollectionService.start(CollectionServiceConfig.of("c2", "127.0.0.1", 0, db, dm.machineSecret(), readers),
        InstantSource.system());
    config2 = CollectionServiceConfig.of("c2", "127.0.0.1", c2.port(), db, dm.machineSecret(), readers);
    List<URI> urls = List.of(URI.create(c1.url()), URI.create(c2.url()));
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(), () -> new AppManagerAgent(m ->
        AgentConfig.of(m.id(), dm.apiUrls(), dm.machineToken(m.id()), m.disk().resolve("autopilot"),
                List.of(URI.create("http://127.0.0.1:" + seed.port())))
            .withRestartTiming(Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(500))
            .withWatchWait(Duration.ofSeconds(5))
            .withWatchdogs(WatchdogConfig.DEFAULTS.withTiming(Duration.ofMillis(300), Duration.ofSeconds(5)))
            .withCollection(CollectionConfig.of(urls).withInterval(Duration.ofMillis(200))
                .withBounds(100, 50, 300, 100)), 42), Duration.ofMillis(200));
    MachineId id = MachineId.of("sim-01");
    send(new RegisterMachine(id, "127.0.0.1:1", "SHA256:x", "web", "su-1", "r1", MachineFacts.UNKNOWN, "test"),
        new AssignManifest(List.of(id), ManifestRef.parse("web@1"), "test"),
        new ActivateManifest(List.of(id), ManifestRef.parse("web@1"), "test"));
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    for (CollectionService c : new CollectionService[] {c1, c2}) {
      if (c != null) {
        try {
          c.close();
        } catch (RuntimeException e) {
          // closed already
        }
      }
    }
    if (seed != null) {
      seed.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (dm != null) {
      dm.close();
    }
  }

  private void send(DmCommand... commands) {
    for (DmCommand c : commands) {
      var r = admin.send(c);
      assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
    }
  }

  private CollectionStats stats(SimulatedMachine m) {
    AppManager a = ((AppManagerAgent) m.agent()).manager();
    return a.collectionStats();
  }

  private List<String> counters(CollectionService c, String machine) {
    return new CollectionQueries(c.store()).counters(machine).stream()
        .map(k -> (k.app().isEmpty() ? "" : k.app() + "/") + k.counter()).toList();
  }

  private List<LogLine> logs(CollectionService c, String app, String level, String q) {
    long now = System.currentTimeMillis();
    return new CollectionQueries(c.store()).logs(new CollectionQueries.LogRequest("sim-01", app, level, q,
        now - 600_000, now + 60_000, 1000));
  }

  private long samples(CollectionService c) {
    return c.store().rowCounts().get("samples");
  }

  @Test
  void shipsCountersAndLogsFailsOverAndKeepsItsBufferBounded() throws Exception {
    SimulatedMachine m = fleet.add("sim-01", 0);

    // counters of every kind arrive
    Await.until("the machine's counters in the collection", LIMIT, () -> counters(c2, "sim-01").containsAll(List.of(
        "os.cpu.busy_pct", "os.mem.used_pct", "os.net.rx_bytes_per_s", "agent.collection.dropped_samples",
        "wd.disk.free_bytes", "wd.memory.available_bytes", "web/app.up", "web/app.restarts", "web/app.uptime_s")),
        () -> counters(c2, "sim-01") + " " + stats(m));
    // the app's output and the agent's events, with levels
    Await.until("the app's output", LIMIT, () -> !logs(c2, "web", "ERROR", "db timeout").isEmpty()
        && !logs(c2, "web", null, "GET /item/").isEmpty(), () -> String.valueOf(stats(m)));
    assertThat(logs(c2, "web", "ERROR", null)).allMatch(l -> l.text().startsWith("ERROR db timeout"));
    assertThat(logs(c2, "web", null, "GET /item/")).allMatch(l -> l.level().equals("INFO"));
    Await.until("the agent's events", LIMIT, () -> logs(c2, "", null, "agent started").size() == 1
        && !logs(c2, "web", null, "started web of web@1").isEmpty());

    // the first URL took everything so far; kill it
    assertThat(stats(m).lastUrl()).isEqualTo(URI.create(c1.url() + "/"));
    c1.close();
    long before = samples(c2);
    Await.until("batches going to the second replica", LIMIT,
        () -> URI.create(c2.url() + "/").equals(stats(m).lastUrl()) && samples(c2) > before + 50,
        () -> String.valueOf(stats(m)));

    // both gone: the buffer fills up to its bound and drops the oldest, counting them
    c2.close();
    Await.until("samples dropped from a full buffer", LIMIT, () -> stats(m).droppedSamples() > 100,
        () -> String.valueOf(stats(m)));
    CollectionStats full = stats(m);
    assertThat(full.bufferedSamples()).isLessThanOrEqualTo(300);
    assertThat(full.bufferedLines()).isLessThanOrEqualTo(100);
    assertThat(full.lastError()).contains("not taken");

    // one comes back on its address: the agent catches up, and the drops are on record
    c2 = CollectionService.start(config2, InstantSource.system());
    long batches = full.batches();
    Await.until("shipping resumed", LIMIT, () -> stats(m).batches() > batches + 3 && stats(m).bufferedSamples() < 100,
        () -> String.valueOf(stats(m)));
    long now = System.currentTimeMillis();
    var dropped = new CollectionQueries(c2.store()).series(new CollectionQueries.SeriesRequest(List.of("sim-01"),
        "agent.collection.dropped_samples", "", now - 600_000, now + 60_000, org.autopilot.collection.model.Step.RAW));
    assertThat(dropped.get(0).points()).anyMatch(p -> p.max() > 100);
  }
}
