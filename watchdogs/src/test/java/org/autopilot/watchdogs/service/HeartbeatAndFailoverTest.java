package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.watchdogs.service.DmFixture.wd;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.SetHealthPolicy;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Missing reports judged on a manual clock, and a second replica taking over: it names the
 * leader while it waits, then gives every machine a fresh grace period and repeats nothing the
 * DM already has. Heartbeat sweeps are run by the test (the scheduled one is a minute apart),
 * so "nothing happened" is checked after a sweep that certainly ran. Each test has its own DM.
 */
class HeartbeatAndFailoverTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dir;
  DmFixture dm;

  @BeforeEach
  void boot() throws Exception {
    dm = new DmFixture(dir);
    dm.send(new DefineMachineType("fast", null, "test"),
        new SetHealthPolicy("fast", new HealthPolicy(null, null, "5s", null, null, null, null, null,
            null, null), "test"));
    dm.register("h1", "h3", "f1");
    dm.registerAt("fast", "127.0.0.1:1", "SHA256:none", "h4");
    dm.register("h2");
    dm.healthy("h2", "f1");
  }

  @AfterEach
  void stop() {
    dm.close();
  }

  WatchdogService start(String id, ManualClock clock) throws Exception {
    WatchdogService s = WatchdogService.start(dm.config(id), clock);
    Await.until(id + " leads", WAIT, s::ready);
    return s;
  }

  @Test
  void aSilentMachineGetsAHeartbeatErrorAndOkOnceItReportsAgain() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (WatchdogService s = start("wd-hb", clock)) {
      dm.report(s, "h1", wd("disk", "OK", "", 1));
      Await.until("h1 told", WAIT, () -> dm.watchdog("h1", "disk").isPresent());
      Await.until("its first report makes h1's heartbeat OK", WAIT,
          () -> dm.watchdog("h1", "heartbeat").map(w -> w.status() == Health.OK).orElse(false));
      assertThat(dm.watchdog("h1", "heartbeat").get().text()).isEqualTo("reporting");
      clock.advance(Duration.ofSeconds(30));
      s.sweepHeartbeats();
      assertThat(s.current(MachineId.of("h1"), "heartbeat")).hasValueSatisfying(
          v -> assertThat(v.status()).as("30 s is not yet past the timeout").isEqualTo(Health.OK));

      clock.advance(Duration.ofSeconds(1));
      s.sweepHeartbeats();
      Await.until("h1 heartbeat Error", WAIT,
          () -> dm.watchdog("h1", "heartbeat").get().status() == Health.ERROR);
      WatchdogState hb = dm.watchdog("h1", "heartbeat").get();
      assertThat(hb.status()).isEqualTo(Health.ERROR);
      assertThat(hb.text()).isEqualTo("no report for 31s (timeout 30s)");
      assertThat(hb.consecutive()).isEqualTo(1);

      clock.advance(Duration.ofSeconds(30));
      s.sweepHeartbeats();
      Await.until("the count grows with the silence", WAIT,
          () -> dm.watchdog("h1", "heartbeat").get().consecutive() == 2);
      assertThat(dm.watchdog("h1", "heartbeat").get().text()).isEqualTo("no report for 61s (timeout 30s)");

      dm.report(s, "h1", wd("disk", "OK", "", 2));
      Await.until("h1 heartbeat OK", WAIT,
          () -> dm.watchdog("h1", "heartbeat").get().status() == Health.OK);
      assertThat(dm.watchdog("h1", "heartbeat").get().text()).isEqualTo("reporting again");
    }
  }

  @Test
  void machinesInServiceThatNeverReportTimeOutByTheirTypesPolicy() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-02-01T00:00:00Z"));
    try (WatchdogService s = start("wd-types", clock)) {
      dm.report(s, "h4", wd("disk", "OK", "", 1));
      dm.report(s, "h3", wd("disk", "OK", "", 1));
      Await.until("h3 and h4 known", WAIT, () -> dm.watchdog("h3", "disk").isPresent()
          && dm.watchdog("h4", "disk").isPresent());
      clock.advance(Duration.ofSeconds(6));
      s.sweepHeartbeats();
      Await.until("h4 (type fast, 5 s) times out", WAIT, () -> dm.watchdog("h4", "heartbeat")
          .map(w -> w.status() == Health.ERROR).orElse(false));
      assertThat(dm.watchdog("h4", "heartbeat").get().text()).isEqualTo("no report for 6s (timeout 5s)");
      assertThat(s.current(MachineId.of("h3"), "heartbeat")).as("h3 (web, 30 s)").hasValueSatisfying(
          v -> assertThat(v.text()).isEqualTo("reporting"));
      assertThat(s.current(MachineId.of("h2"), "heartbeat")).as("h2 (Healthy, never reported)").isEmpty();

      clock.advance(Duration.ofSeconds(25));
      s.sweepHeartbeats();
      Await.until("h2, Healthy in the DM, never reported", WAIT,
          () -> dm.watchdog("h2", "heartbeat").isPresent());
      assertThat(dm.watchdog("h2", "heartbeat").get().text()).isEqualTo("no report for 31s (timeout 30s)");
      Await.until("h3 too", WAIT, () -> dm.watchdog("h3", "heartbeat").isPresent());
    }
  }

  @Test
  void aMachineRegisteredLaterIsLearnedFromTheAuditTrail() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-04-01T00:00:00Z"));
    WatchdogServiceConfig c = dm.config("wd-follow").withTimes(Duration.ofMillis(50),
        Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofMillis(200), null);
    try (WatchdogService s = WatchdogService.start(c, clock)) {
      Await.until("leading", WAIT, s::ready);
      dm.register("late");
      dm.healthy("late");
      Await.until("the service learns of late", WAIT, () -> s.knows(MachineId.of("late")));
      clock.advance(Duration.ofSeconds(31));
      s.sweepHeartbeats();
      Await.until("late, Healthy and silent, times out", WAIT,
          () -> dm.watchdog("late", "heartbeat").isPresent());
      assertThat(dm.watchdog("late", "heartbeat").get().text()).isEqualTo("no report for 31s (timeout 30s)");
    }
  }

  @Test
  void aSecondReplicaNamesTheLeaderThenTakesOverWithGraceAndRepeatsNothing() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T00:00:00Z"));
    WatchdogService a = start("wd-a", clock);
    try (WatchdogService b = WatchdogService.start(dm.config("wd-b"), clock)) {
      Await.until("b names a as leader", WAIT, () -> {
        HttpResponse<String> r = post(b, "f1");
        return r.statusCode() == 503 && a.url().equals(r.headers()
            .firstValue(ReportIntake.LEADER_HEADER).orElse(null));
      });
      assertThat(post(b, "f1").body()).contains("not the leader: send reports to " + a.url());

      assertThat(post(a, "f1").statusCode()).isEqualTo(200);
      Await.until("f1 told", WAIT, () -> dm.watchdog("f1", "disk").isPresent());
      List<?> before = dm.reports("f1");

      clock.advance(Duration.ofSeconds(25));
      a.halt(); // a crash: the lease is not given back, b waits for it to expire
      Await.until("b leads", WAIT, b::ready);

      clock.advance(Duration.ofSeconds(25)); // 50 s since f1's last report, 25 s since b took over
      b.sweepHeartbeats();
      assertThat(b.current(MachineId.of("f1"), "heartbeat")).as("grace after failover")
          .hasValueSatisfying(v -> assertThat(v.status()).isEqualTo(Health.OK));
      HttpResponse<String> same = post(b, "f1");
      assertThat(same.statusCode()).isEqualTo(200);
      assertThat(same.body()).as("b knows what the DM has").contains("\"changes\":0");

      clock.advance(Duration.ofSeconds(31));
      b.sweepHeartbeats();
      Await.until("f1 heartbeat Error from b", WAIT,
          () -> dm.watchdog("f1", "heartbeat").get().status() == Health.ERROR);
      assertThat(dm.watchdog("f1", "heartbeat").get().text()).isEqualTo("no report for 31s (timeout 30s)");
      assertThat(dm.reports("f1")).hasSize(before.size() + 1);
    } finally {
      a.close();
    }
  }

  private HttpResponse<String> post(WatchdogService s, String machine) {
    try {
      return dm.report(s, machine, wd("disk", "OK", "fine", 1));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
