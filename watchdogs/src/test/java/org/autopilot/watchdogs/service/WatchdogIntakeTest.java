package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.watchdogs.service.DmFixture.body;
import static org.autopilot.watchdogs.service.DmFixture.wd;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The leader's intake against a real DM: what is forwarded, what is refused and why. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchdogIntakeTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  DmFixture dm;
  WatchdogService service;

  @BeforeAll
  void boot(@TempDir Path dir) throws Exception {
    dm = new DmFixture(dir);
    dm.register("i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8");
    dm.healthy("i2");
    service = WatchdogService.start(dm.config("wd1"), InstantSource.system());
    Await.until("wd1 leads", WAIT, service::ready);
  }

  @AfterAll
  void stop() {
    service.close();
    dm.close();
  }

  @Test
  void onlyChangesReachTheDm() throws Exception {
    assertThat(dm.report(service, "i1", wd("disk", "OK", "42% used", 1), wd("mem", "OK", "", 1))
        .body()).as("disk, mem, and the heartbeat OK of a machine's first report")
        .isEqualTo("{\"accepted\":true,\"changes\":3}");
    Await.until("the DM has i1's watchdogs", WAIT, () -> dm.watchdog("i1", "mem").isPresent());
    for (int n = 2; n <= 6; n++) {
      HttpResponse<String> r = dm.report(service, "i1", wd("disk", "OK", "42% used", n), wd("mem", "OK", "", n));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"accepted\":true,\"changes\":0}");
    }
    dm.report(service, "i1", wd("disk", "Warning", "91% used", 1), wd("mem", "OK", "", 7));
    Await.until("the DM has the disk warning", WAIT,
        () -> dm.watchdog("i1", "disk").get().status() == Health.WARNING);

    List<WatchdogsReported> events = dm.reports("i1");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).changed()).extracting(WatchdogState::name).containsExactlyInAnyOrder("disk", "mem", "heartbeat");
    assertThat(events.get(1).changed()).extracting(WatchdogState::name, WatchdogState::text)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("disk", "91% used"));
    assertThat(events.get(1).actor()).isEqualTo("watchdog");
  }

  @Test
  void anErrorCountGrowsUntilTheDmConfirmsAndStopsAtSixteen() throws Exception {
    for (int n = 1; n <= 3; n++) {
      dm.report(service, "i2", wd("disk", "Error", "I/O stall on sda", n), wd("mem", "OK", "", n));
      int want = n;
      Await.until("the DM counts " + n, WAIT,
          () -> dm.watchdog("i2", "disk").map(WatchdogState::consecutive).orElse(0) == want);
    }
    // default policy: 3 consecutive Errors confirm a failure (the first one's action is
    // DoNothing, which moves the machine on to Probation at once)
    Await.until("a failure of i2 confirmed", WAIT,
        () -> !dm.admin.machine(MachineId.of("i2")).get().failures().isEmpty());
    assertThat(dm.admin.machine(MachineId.of("i2")).get().failures().get(0).cause())
        .contains("disk: I/O stall on sda (3 consecutive reports)");

    for (int n = 4; n <= 20; n++) {
      dm.report(service, "i2", wd("disk", "Error", "I/O stall on sda", n), wd("mem", "OK", "", n));
    }
    dm.report(service, "i2", wd("disk", "Error", "I/O stall on sda", 21), wd("mem", "Warning", "swapping", 1));
    Await.until("the DM has the memory warning", WAIT,
        () -> dm.watchdog("i2", "mem").get().status() == Health.WARNING);
    assertThat(dm.watchdog("i2", "disk").get().consecutive()).isEqualTo(16);
    List<Integer> counts = dm.reports("i2").stream().flatMap(e -> e.changed().stream())
        .filter(w -> w.name().equals("disk")).map(WatchdogState::consecutive).toList();
    assertThat(counts).startsWith(1, 2, 3).endsWith(16).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void badInputIsRefusedSayingWhatAndWhereAndNothingIsForwarded() throws Exception {
    String token = dm.cluster.machineToken("i3");
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("not json", "body is not JSON");
    cases.put("[1]", "body must be a JSON object");
    cases.put("{\"machine\":\"i3\",\"watchdogs\":[],\"extra\":1}", "unknown field 'extra'");
    cases.put(body("i3", "{\"watchdog\":\"disk\",\"status\":\"OK\",\"consecutive\":1,\"colour\":\"red\"}"),
        "watchdogs[0]: unknown field 'colour'");
    cases.put(body("i3", wd("a b", "OK", "", 1)), "watchdogs[0].watchdog: 'a b' must match");
    cases.put(body("i3", wd("disk", "OK", "", 1), wd("mem", "FINE", "", 1)),
        "watchdogs[1].status: 'FINE' is not one of OK, Warning, Error, Unknown");
    cases.put(body("i3", wd("disk", "OK", "x".repeat(9000), 1)), "watchdogs[0].text: 9000 characters");
    cases.put(body("i3", wd("disk", "OK", "two\\nlines", 1)), "watchdogs[0].text: control character U+000A");
    cases.put(body("i3", wd("disk", "OK", "", 0)), "watchdogs[0].consecutive: 0 is outside");
    cases.put(body("i3", wd("heartbeat", "OK", "", 1)), "watchdogs[0].watchdog: 'heartbeat' is reserved");
    cases.put(body("i3", wd("disk", "OK", "", 1), wd("disk", "Error", "", 1)), "watchdogs[1].watchdog: 'disk' is reported twice");
    cases.put(body("i3", "{\"watchdog\":\"disk\",\"consecutive\":1}"), "watchdogs[0].status: missing");
    cases.put(body("i3", "{\"watchdog\":\"disk\",\"status\":\"OK\",\"consecutive\":1,"
        + "\"perfData\":[{\"label\":\"/\",\"value\":42,\"uom\":\"%\"},{\"lable\":\"x\"}]}"),
        "watchdogs[0].perfData[1]: unknown field 'lable'");
    cases.put("{\"machine\":\"i 3\",\"watchdogs\":[]}", "machine: machine id 'i 3' must match");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = dm.post(service.url(), token, c.getKey());
      assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
      assertThat(r.body()).as(c.getKey()).contains(c.getValue());
    }
    HttpResponse<String> big = dm.post(service.url(), token,
        body("i3", wd("disk", "OK", "y".repeat(7000), 1)).repeat(10));
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(big.body()).contains("larger than 65536 bytes");

    String perf = "{\"watchdog\":\"disk\",\"status\":\"OK\",\"text\":\"" + "z".repeat(600)
        + "\",\"consecutive\":1,\"perfData\":[{\"label\":\"/\",\"value\":42.5,\"uom\":\"%\","
        + "\"warn\":{\"start\":0,\"end\":80,\"inside\":false},\"crit\":{\"start\":\"-Infinity\","
        + "\"end\":90,\"inside\":false},\"min\":0,\"max\":100}]}";
    assertThat(dm.post(service.url(), token, body("i3", perf)).statusCode()).isEqualTo(200);
    Await.until("the DM has i3's disk", WAIT, () -> dm.watchdog("i3", "disk").isPresent());
    assertThat(dm.reports("i3")).hasSize(1);
    String text = dm.watchdog("i3", "disk").get().text();
    assertThat(text).hasSize(512).startsWith("zzz").endsWith("z…");
  }

  @Test
  void aMachineTokenSpeaksOnlyForItsOwnMachine() throws Exception {
    HttpResponse<String> other = dm.post(service.url(), dm.cluster.machineToken("i4"),
        body("i5", wd("disk", "Error", "forged", 1)));
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("the token of machine i4 may only report about i4, not i5");
    String own = dm.cluster.machineToken("i5");
    String altered = own.substring(0, own.length() - 1) + (own.endsWith("a") ? "b" : "a");
    for (String token : new String[] {null, "nonsense", dm.cluster.token(Role.ADMIN), altered}) {
      HttpResponse<String> r = dm.post(service.url(), token, body("i5", wd("disk", "Error", "forged", 1)));
      assertThat(r.statusCode()).as(String.valueOf(token)).isEqualTo(401);
      assertThat(r.body()).contains("missing or invalid machine token");
    }
    dm.report(service, "i5", wd("disk", "OK", "own", 1));
    Await.until("the DM has i5's own report", WAIT, () -> dm.watchdog("i5", "disk").isPresent());
    assertThat(dm.reports("i5")).hasSize(1);
    assertThat(dm.watchdog("i5", "disk").get().text()).isEqualTo("own");
  }

  @Test
  void aMachineTheDmDoesNotKnowIsAnsweredNotRegisteredAndHoldsUpNoOne() throws Exception {
    HttpResponse<String> first = dm.report(service, "ghost", wd("disk", "OK", "", 1));
    assertThat(first.statusCode()).isEqualTo(200);
    dm.report(service, "i6", wd("disk", "OK", "fine", 1));
    Await.until("ghost is answered 404", WAIT, () -> {
      try {
        HttpResponse<String> r = dm.report(service, "ghost", wd("disk", "OK", "", 1));
        return r.statusCode() == 404 && r.body().contains("machine ghost is not registered in the DM");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until("the DM has i6's report", WAIT, () -> dm.watchdog("i6", "disk").isPresent());
  }

  @Test
  void aBatchTheDmRefusesForOneUnknownMachineIsSentAgainWithoutIt() {
    // A machine the service believes in but the DM does not have (e.g. a DM restored from an
    // older snapshot): the DM refuses the whole command; the forwarder drops that machine and
    // resends the others at once.
    FleetVerdicts fleet = new FleetVerdicts(InstantSource.system());
    fleet.learn(machine("phantom"));
    fleet.learn(dm.admin.machine(MachineId.of("i8")).orElseThrow());
    fleet.report(new ReportParser.IntakeReport(MachineId.of("phantom"),
        List.of(new Verdict("disk", Health.OK, "", 1))));
    fleet.report(new ReportParser.IntakeReport(MachineId.of("i8"),
        List.of(new Verdict("disk", Health.WARNING, "87% used", 1))));
    VerdictForwarder forwarder = new VerdictForwarder(dm.admin, "test");
    assertThat(forwarder.flush(fleet)).isTrue();
    assertThat(dm.watchdog("i8", "disk").get().text()).isEqualTo("87% used");
    assertThat(forwarder.refusedEntries.get()).isEqualTo(1);
    assertThat(forwarder.commands.get()).isEqualTo(1);
    FleetVerdicts.Outcome again = fleet.report(new ReportParser.IntakeReport(MachineId.of("phantom"),
        List.of(new Verdict("disk", Health.OK, "", 1))));
    assertThat(again.kind()).isEqualTo(FleetVerdicts.Outcome.Kind.NOT_REGISTERED);
  }

  @Test
  void aWatchdogNoLongerReportedBecomesUnknown() throws Exception {
    dm.report(service, "i7", wd("app", "OK", "", 1), wd("cron", "OK", "", 1));
    Await.until("the DM has cron", WAIT, () -> dm.watchdog("i7", "cron").isPresent());
    dm.report(service, "i7", wd("app", "OK", "", 2));
    Await.until("cron is Unknown", WAIT, () -> dm.watchdog("i7", "cron").get().status() == Health.UNKNOWN);
    assertThat(dm.watchdog("i7", "cron").get().text()).isEqualTo("no longer reported");
    assertThat(dm.report(service, "i7", wd("app", "OK", "", 3)).body()).contains("\"changes\":0");
  }

  private static Machine machine(String id) {
    return Machine.discovered(MachineId.of(id), "127.0.0.1:1", "SHA256:x", "web", "su-1", null,
        MachineFacts.UNKNOWN, java.time.Instant.EPOCH, 1);
  }
}
