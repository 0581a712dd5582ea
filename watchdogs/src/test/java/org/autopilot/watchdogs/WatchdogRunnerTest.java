package org.autopilot.watchdogs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.autopilot.devicemanager.model.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner with real scripts written to the Nagios plugin protocol in a temporary directory. */
class WatchdogRunnerTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  @TempDir Path dir;
  final List<WatchdogRound> sunk = new CopyOnWriteArrayList<>();

  Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  WatchdogRunner runner(Duration timeout, Watchdog... fixed) {
    return new WatchdogRunner(new WatchdogRunner.Settings(dir, Duration.ofMillis(50), timeout,
        Map.of("AUTOPILOT_MACHINE", "m1")), List.of(fixed), InstantSource.fixed(T0), sunk::add);
  }

  static Watchdog fixed(String name, Health status, String text) {
    return new Watchdog() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public WatchdogResult check() {
        return new WatchdogResult(status, text, "", List.of(), List.of());
      }
    };
  }

  @Test
  void everyExecutableScriptRunsInNameOrderAndGivesItsVerdict() throws Exception {
    script("check_ok", "echo 'OK - fine | t=1s;2;3'; exit 0");
    script("check_warn", "echo \"WARNING - on $AUTOPILOT_MACHINE in $(basename $(pwd))\"; exit 1");
    script("check_crit", "echo 'CRITICAL - broken'; exit 2");
    script("check_unknown", "echo 'UNKNOWN - cannot tell'; exit 3");
    script("check space&more", "echo 'OK - odd name'");
    script(".hidden", "echo 'CRITICAL - never run'; exit 2");
    Files.writeString(dir.resolve("README"), "#!/bin/sh\nexit 2\n");
    Files.createDirectory(dir.resolve("lib"));
    script("lib/helper", "exit 2");

    WatchdogRound round;
    try (WatchdogRunner r = runner(Duration.ofSeconds(10))) {
      round = r.runRound();
    }

    assertThat(round.at()).isEqualTo(T0);
    assertThat(round.verdicts()).as("sorted by file name: ' ' before '_'")
        .extracting(WatchdogVerdict::watchdog).containsExactly(
            "check_space_more", "check_crit", "check_ok", "check_unknown", "check_warn");
    assertThat(round.verdicts()).extracting(WatchdogVerdict::status).containsExactly(
        Health.OK, Health.ERROR, Health.OK, Health.UNKNOWN, Health.WARNING);
    assertThat(round.verdict("check_warn").text()).isEqualTo("WARNING - on m1 in " + dir.getFileName());
    assertThat(round.verdict("check_ok").perfData()).singleElement()
        .satisfies(p -> assertThat(p.label()).isEqualTo("t"));
    assertThat(round.verdicts()).allSatisfy(v -> assertThat(v.consecutive()).isEqualTo(1));
    assertThat(sunk).containsExactly(round);
  }

  @Test
  void aHangingScriptTimesOutAsUnknownAndTheOthersStillReport() throws Exception {
    script("hang", "echo 'still thinking'; sleep 60");
    script("quick", "echo 'OK - quick'");
    WatchdogRound round;
    try (WatchdogRunner r = runner(Duration.ofMillis(500))) {
      round = r.runRound();
    }
    assertThat(round.verdict("hang").status()).isEqualTo(Health.UNKNOWN);
    assertThat(round.verdict("hang").text()).isEqualTo("timed out after 500 ms; killed; said: still thinking");
    assertThat(round.verdict("quick").status()).isEqualTo(Health.OK);
  }

  @Test
  void outputThatBreaksTheProtocolIsUnknownWithTheReason() throws Exception {
    script("binary", "printf 'OK \\001\\002\\377\\376 junk'; exit 0");
    script("silent", "exit 2");
    script("flood", "yes 'OK - again' | head -c 20000; exit 0");
    script("odd_exit", "echo 'OK - but exits 7'; exit 7");
    script("crash", "echo 'CRITICAL - about to die'; kill -9 $$");
    script("bad_perf", "echo 'OK - numbers are off | load=high ok=1'; exit 0");
    WatchdogRound round;
    try (WatchdogRunner r = runner(Duration.ofSeconds(10))) {
      round = r.runRound();
    }
    assertThat(round.verdict("binary").status()).isEqualTo(Health.UNKNOWN);
    assertThat(round.verdict("binary").text()).startsWith("bad output: not text");
    assertThat(round.verdict("silent").text()).startsWith("bad output: no status line");
    assertThat(round.verdict("flood").text()).startsWith("bad output: more than 8192 bytes");
    assertThat(round.verdict("odd_exit").text()).startsWith("exit status 7 is not 0-3")
        .endsWith("said: OK - but exits 7");
    assertThat(round.verdict("crash").text()).startsWith("killed by signal 9");
    assertThat(round.verdicts()).filteredOn(v -> !v.watchdog().equals("bad_perf"))
        .allSatisfy(v -> assertThat(v.status()).isEqualTo(Health.UNKNOWN))
        .allSatisfy(v -> assertThat(v.text()).hasSizeLessThanOrEqualTo(512).doesNotContain("\n"));
    WatchdogVerdict perf = round.verdict("bad_perf");
    assertThat(perf.status()).as("a bad perfdata item alone keeps the verdict").isEqualTo(Health.OK);
    assertThat(perf.perfData()).extracting(PerfData::label).containsExactly("ok");
  }

  @Test
  void consecutiveCountsGrowAndStartOverWhenTheStatusChanges() throws Exception {
    Path state = dir.resolve(".state");
    script("flip", "read code text < " + state + "; echo \"$text\"; exit $code");
    try (WatchdogRunner r = runner(Duration.ofSeconds(10))) {
      Files.writeString(state, "0 fine\n");
      assertThat(r.runRound().verdict("flip").consecutive()).isEqualTo(1);
      assertThat(r.runRound().verdict("flip").consecutive()).isEqualTo(2);
      Files.writeString(state, "2 broken\n");
      WatchdogVerdict first = r.runRound().verdict("flip");
      assertThat(first.status()).isEqualTo(Health.ERROR);
      assertThat(first.consecutive()).isEqualTo(1);
      Files.writeString(state, "2 broken differently\n");
      WatchdogVerdict again = r.runRound().verdict("flip");
      assertThat(again.text()).isEqualTo("broken differently");
      assertThat(again.consecutive()).as("a new text is not a new status").isEqualTo(2);
      Files.writeString(state, "0 fine\n");
      assertThat(r.runRound().verdict("flip").consecutive()).isEqualTo(1);
    }
    assertThat(sunk).hasSize(5);
  }

  @Test
  void fixedChecksComeFirstAndAThrowingOrHangingOneIsUnknown() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Watchdog hangs = new Watchdog() {
      @Override
      public String name() {
        return "slow";
      }

      @Override
      public WatchdogResult check() throws InterruptedException {
        release.await();
        return new WatchdogResult(Health.OK, "slow OK", "", List.of(), List.of());
      }
    };
    Watchdog throwing = new Watchdog() {
      @Override
      public String name() {
        return "boom";
      }

      @Override
      public WatchdogResult check() {
        throw new IllegalStateException("sensor gone");
      }
    };
    script("boom", "echo 'OK - the script, renamed'");
    try (WatchdogRunner r = runner(Duration.ofMillis(300), fixed("disk", Health.OK, "disk OK"))) {
      r.register(throwing).register(hangs);
      assertThatThrownBy(() -> r.register(fixed("disk", Health.OK, "again"))).hasMessageContaining("already");
      assertThatThrownBy(() -> r.register(fixed("bad name", Health.OK, "x"))).hasMessageContaining("must match");

      WatchdogRound first = r.runRound();
      assertThat(first.verdicts()).extracting(WatchdogVerdict::watchdog)
          .containsExactly("disk", "boom", "slow", "boom-2");
      assertThat(first.verdict("boom").text()).isEqualTo("check failed: IllegalStateException: sensor gone");
      assertThat(first.verdict("slow").text()).isEqualTo("no answer within 300 ms");
      assertThat(r.runRound().verdict("slow").text()).isEqualTo("still running since an earlier round (hanging)");
      release.countDown();
      WatchdogVerdict back = null;
      for (int i = 0; i < 50 && (back == null || back.status() != Health.OK); i++) {
        back = r.runRound().verdict("slow");
      }
      assertThat(back.status()).isEqualTo(Health.OK);
      assertThat(back.consecutive()).isEqualTo(1);
    }
  }

  @Test
  void aLongTextIsCutTo512Characters() throws Exception {
    script("chatty", "printf 'WARNING - %0600d\\n' 0; exit 1");
    try (WatchdogRunner r = runner(Duration.ofSeconds(10))) {
      WatchdogVerdict v = r.runRound().verdict("chatty");
      assertThat(v.status()).isEqualTo(Health.WARNING);
      assertThat(v.text()).hasSize(512).startsWith("WARNING - 000").endsWith("...");
    }
  }

  @Test
  void scriptsBeyondTheLimitAreSkippedAndNamed() throws Exception {
    for (int i = 0; i < 66; i++) {
      script(String.format("c%02d", i), "echo OK");
    }
    try (WatchdogRunner r = runner(Duration.ofSeconds(20))) {
      WatchdogRound round = r.runRound();
      assertThat(round.verdicts()).hasSize(WatchdogRunner.MAX_WATCHDOGS);
      assertThat(round.verdict("c62").status()).isEqualTo(Health.OK);
      assertThat(round.verdict("c63")).isNull();
      WatchdogVerdict note = round.verdict(WatchdogRunner.DIR_WATCHDOG);
      assertThat(note.status()).isEqualTo(Health.UNKNOWN);
      assertThat(note.text()).startsWith("3 scripts not run (from c63 on)");
    }
  }

  @Test
  void scriptsNamedLikeTheServicesOwnWatchdogsAreRenamed() throws Exception {
    script("ssh", "echo 'OK: sshd listening'");
    script("heartbeat", "echo 'WARNING: my own idea of a heartbeat'; exit 1");
    try (WatchdogRunner r = runner(Duration.ofSeconds(20))) {
      WatchdogRound round = r.runRound();
      assertThat(round.verdict("ssh")).as("ssh is the watchdog service's probe").isNull();
      assertThat(round.verdict("heartbeat")).as("heartbeat is the watchdog service's").isNull();
      assertThat(round.verdict("ssh-2").status()).isEqualTo(Health.OK);
      assertThat(round.verdict("heartbeat-2").status()).isEqualTo(Health.WARNING);
    }
  }

  @Test
  void scheduledRoundsReachTheSinkAndInactiveTurnsAreSkipped() throws Exception {
    script("ok", "echo OK");
    AtomicInteger asked = new AtomicInteger();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (WatchdogRunner r = runner(Duration.ofSeconds(10))) {
      r.start(timer, () -> asked.incrementAndGet() % 2 == 0);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (sunk.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(sunk.size()).isGreaterThanOrEqualTo(3);
      assertThat(asked.get()).as("every other turn skipped").isGreaterThanOrEqualTo(6);
      assertThat(r.last().verdict("ok").consecutive()).isGreaterThanOrEqualTo(3);
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void closeDoesNotWaitForARoundWhoseSinkWaitsForTheCloser() throws Exception {
    script("ok", "echo OK");
    Object machine = new Object();
    CountDownLatch inSink = new CountDownLatch(1);
    WatchdogRunner r = new WatchdogRunner(new WatchdogRunner.Settings(dir, Duration.ofMillis(50),
        Duration.ofSeconds(10), Map.of()), List.of(), InstantSource.fixed(T0), round -> {
          inSink.countDown();
          synchronized (machine) {
            sunk.add(round);
          }
        });
    Thread round = new Thread(() -> {
      try {
        r.runRound();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    synchronized (machine) {
      round.start();
      inSink.await();
      java.util.concurrent.CompletableFuture.runAsync(r::close).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    round.join(10_000);
    assertThat(sunk).as("the round finished once the closer let go").hasSize(1);
    assertThatThrownBy(r::runRound).hasMessageContaining("closed");
  }
}
