package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ActivateManifest;
import org.autopilot.devicemanager.command.AssignManifest;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.watchdogs.WatchdogResult;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogVerdict;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's watchdogs against a real one-replica DM: built-ins, its own checks and real
 * scripts reach the machine's record in the DM; the direct reporter sends only changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentWatchdogsTest {
  static final Duration LIMIT = Duration.ofSeconds(30);
  AgentFixture fx;
  AppManager agent;

  @BeforeAll
  void boot(@TempDir Path tmp) throws Exception {
    fx = new AgentFixture(tmp);
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

  /** An agent with 200 ms rounds whose watchdog directory holds {@code scripts} (name, body). */
  AppManager startAgent(MachineId id, String... scripts) throws Exception {
    Path dir = Files.createDirectories(fx.dir.resolve("watchdogs-" + id));
    for (int i = 0; i < scripts.length; i += 2) {
      Path p = Files.writeString(dir.resolve(scripts[i]), "#!/bin/sh\n" + scripts[i + 1] + "\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    AgentConfig c = fx.config(id);
    return fx.start(c.withWatchdogs(c.watchdogs().withDir(dir)
        .withTiming(Duration.ofMillis(200), Duration.ofSeconds(5))));
  }

  WatchdogState watchdog(MachineId id, String name) {
    return fx.machine(id).watchdogs().get(name);
  }

  boolean is(MachineId id, String name, Health h, String textPart) {
    WatchdogState w = watchdog(id, name);
    return w != null && w.status() == h && w.text().contains(textPart);
  }

  void run(MachineId id, ManifestRef ref) {
    fx.send(new AssignManifest(List.of(id), ref, "pre-load"));
    fx.send(new ActivateManifest(List.of(id), ref, "go"));
  }

  @Test
  void theAgentsWatchdogsAndScriptsShowOnItsMachineInTheDm() throws Exception {
    MachineId id = fx.newMachine();
    agent = startAgent(id, "check_queue", "echo 'QUEUE OK - 3 waiting | waiting=3'; exit 0",
        "check_cert", "echo 'CERT WARNING - expires in 9 days'; exit 1");
    run(id, AgentFixture.V1);
    Await.until("watchdogs in the DM", LIMIT, () -> is(id, "apps", Health.OK, "web@1, 1 up")
        && is(id, "manifest", Health.OK, "web@1, 2 files intact"));

    assertThat(fx.machine(id).watchdogs().keySet()).containsExactlyInAnyOrder(
        "disk", "memory", "manifest", "apps", "agent", "heartbeat", "check_cert", "check_queue");
    assertThat(watchdog(id, "agent").text()).as("names this run's start").startsWith("app-manager up since 20");
    assertThat(watchdog(id, "disk").status()).isEqualTo(Health.OK);
    assertThat(watchdog(id, "disk").text()).isEqualTo("disk OK: " + agent.home()
        + " at least 10% free, write probe ok");
    assertThat(watchdog(id, "heartbeat").status()).isEqualTo(Health.OK);
    assertThat(watchdog(id, "check_queue").text()).isEqualTo("QUEUE OK - 3 waiting");
    assertThat(watchdog(id, "check_cert").status()).isEqualTo(Health.WARNING);
    assertThat(watchdog(id, "memory").text()).startsWith("memory ");
    WatchdogRound round = agent.lastWatchdogRound();
    assertThat(round.verdict("check_queue").perfData()).singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo(3.0));
  }

  @Test
  void aCrashingAppIsTheAppsWatchdogsError() throws Exception {
    MachineId id = fx.newMachine();
    agent = startAgent(id);
    run(id, AgentFixture.V3);
    Await.until("apps Error in the DM", LIMIT, () -> is(id, "apps", Health.ERROR, "web CRASH_LOOP"));
    assertThat(watchdog(id, "apps").text()).isEqualTo("apps ERROR: web@3: web CRASH_LOOP");
    assertThat(watchdog(id, "heartbeat").status()).isEqualTo(Health.OK);
  }

  @Test
  void aChangedManifestFileIsCaughtAtOnceOrByTheNextFullHash() throws Exception {
    MachineId id = fx.newMachine();
    agent = startAgent(id);
    run(id, AgentFixture.V1);
    Await.until("web@1 intact", LIMIT, () -> is(id, "manifest", Health.OK, "web@1"));
    Path home = agent.home();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
    LocalManifests local = new LocalManifests(home, new ContentStore(home.resolve("store")),
        (hash, sources) -> { }, List.of(), new Random(1), AgentFaults.NONE);
    ManifestWatchdog w = new ManifestWatchdog(local, () -> AgentFixture.V1, Duration.ofSeconds(60), now::get);
    assertThat(w.check().status()).isEqualTo(Health.OK);

    Path conf = home.resolve("current/root/web/conf/app.conf");
    FileTime mtime = Files.getLastModifiedTime(conf);
    Files.writeString(conf, "version=X\n");
    Files.setLastModifiedTime(conf, mtime);
    assertThat(w.check().status()).as("same size and time: not hashed again before the interval")
        .isEqualTo(Health.OK);
    now.set(now.get().plusSeconds(60));
    WatchdogResult full = w.check();
    assertThat(full.status()).isEqualTo(Health.ERROR);
    assertThat(full.text()).isEqualTo("manifest ERROR: web@1: 1 of 2 files differ: web/conf/app.conf (sha256 differs)");

    Files.writeString(conf, "version=1\n");
    assertThat(w.check().status()).as("a new modification time: hashed again at once").isEqualTo(Health.OK);
    Files.delete(home.resolve("current/root/web/bin/run.sh"));
    assertThat(w.check().text()).endsWith("web/bin/run.sh (missing)");
    Await.until("the agent's own manifest watchdog reports it", LIMIT,
        () -> is(id, "manifest", Health.ERROR, "web/bin/run.sh (missing)"));
  }

  /** Faults switched by the test. */
  static final class Faults implements AgentFaults {
    volatile boolean dead;
    volatile boolean lost;

    @Override
    public boolean hung() {
      return false;
    }

    @Override
    public void network() throws IOException {
      if (dead) {
        throw new IOException("network unreachable (test)");
      }
    }

    @Override
    public boolean lostHeartbeat() {
      return lost;
    }
  }

  static WatchdogRound round(Instant at, WatchdogVerdict... verdicts) {
    return new WatchdogRound(at, List.of(verdicts));
  }

  static WatchdogVerdict v(String name, Health h, String text, int consecutive) {
    return new WatchdogVerdict(name, h, text, consecutive, List.of());
  }

  @Test
  void theDirectReporterSendsChangesGrowingErrorsKeepAlivesAndNothingUnderFaults() throws Exception {
    MachineId id = fx.newMachine();
    Faults faults = new Faults();
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    try (DmClient asMachine = new DmClient(fx.cluster.apiUrls(), fx.cluster.machineToken(id.value()))) {
      DirectWatchdogReporter r = new DirectWatchdogReporter(id, asMachine, faults, Duration.ofSeconds(60));
      WatchdogVerdict beat = v("heartbeat", Health.OK, "alive", 1);
      r.accept(round(t0, beat, v("check_x", Health.OK, "fine", 1)));
      assertThat(r.sent()).isEqualTo(1);
      r.accept(round(t0.plusSeconds(5), v("heartbeat", Health.OK, "alive", 2), v("check_x", Health.OK, "fine", 2)));
      assertThat(r.sent()).as("nothing changed").isEqualTo(1);
      assertThat(watchdog(id, "heartbeat").consecutive()).isEqualTo(1);

      for (int n = 1; n <= 20; n++) {
        r.accept(round(t0.plusSeconds(5 + n), v("heartbeat", Health.OK, "alive", 2 + n),
            v("check_x", Health.ERROR, "broken", n)));
      }
      assertThat(r.sent()).as("each Error count up to 16, then no more").isEqualTo(1 + 16);
      assertThat(watchdog(id, "check_x").consecutive()).isEqualTo(16);
      assertThat(watchdog(id, "heartbeat").consecutive()).as("unchanged verdicts stay home").isEqualTo(1);

      r.accept(round(t0.plusSeconds(30), beat, v("check_x", Health.ERROR, "broken worse", 21)));
      assertThat(r.sent()).as("a new text").isEqualTo(18);
      r.accept(round(t0.plusSeconds(90), v("heartbeat", Health.OK, "alive", 30), v("check_x", Health.ERROR, "broken worse", 22)));
      assertThat(r.sent()).as("keep-alive 60 s after the last send").isEqualTo(19);
      assertThat(watchdog(id, "heartbeat").consecutive()).isEqualTo(30);

      faults.lost = true;
      r.accept(round(t0.plusSeconds(91), beat));
      faults.lost = false;
      faults.dead = true;
      r.accept(round(t0.plusSeconds(92), beat));
      assertThat(r.sent()).as("dropped, then failed").isEqualTo(19);
      assertThat(r.lastError()).contains("network unreachable");
      assertThat(watchdog(id, "check_x").status()).isEqualTo(Health.ERROR);
      faults.dead = false;
      r.accept(round(t0.plusSeconds(93), beat));
      assertThat(r.sent()).isEqualTo(20);
      assertThat(watchdog(id, "check_x").status()).as("a watchdog that stopped").isEqualTo(Health.UNKNOWN);
      assertThat(watchdog(id, "check_x").text()).isEqualTo("no longer runs on this machine");
    }
  }
}
