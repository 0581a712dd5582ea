package org.autopilot.repair;

import org.autopilot.appmanager.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.repair.RepairFleet.LIMIT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.autopilot.devicemanager.command.ClaimRepair;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.Repair.Status;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.repair.plan.CommandMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair service against a real DM and simulated machines over real SSH: repairs claimed,
 * started, executed and finished; host keys checked; a leader dying mid-action; maintenance
 * windows; Replace.
 */
class RepairServiceTest {
  @TempDir Path dir;
  RepairFleet f;

  @BeforeEach
  void setUp() throws Exception {
    f = new RepairFleet(dir);
    f.type("web", "img-1");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  static boolean is(Repair r, long id, Status status) {
    return r != null && r.id() == id && r.status() == status;
  }

  @Test
  void aWaitingRebootIsClaimedStartedRunOverSshAndFinished() throws Exception {
    f.policy("default", List.of(RepairAction.REBOOT), null, null);
    SimulatedMachine m = f.healthy("m1", "web");
    RepairService s = f.service("repair-1", CommandMap.builtIn(), 2);
    Await.until("repair-1 leads", LIMIT, s::leading);

    f.fail("m1", "disk", "sda: latency 900 ms");
    long id = f.repair("m1").id();

    Await.until("the reboot reported done", LIMIT, () -> is(f.repair("m1"), id, Status.DONE));
    Repair r = f.repair("m1");
    assertThat(r.action()).isEqualTo(RepairAction.REBOOT);
    assertThat(r.holder()).isEqualTo("repair-1");
    assertThat(r.outcome()).contains("exit 0", "rebooting");
    assertThat(f.machine("m1").state()).isEqualTo(LifecycleState.PROBATION);
    Await.until("the machine booted again", LIMIT, () -> m.boots() == 2
        && m.power() == SimulatedMachine.Power.ON);
    assertThat(f.agentStarts.get("m1").get()).as("the agent restarted").isEqualTo(2);
    assertThat(s.started()).isEqualTo(1);
    assertThat(f.admin.decisions(MachineId.of("m1"), 0, 100).items())
        .extracting(d -> d.kind()).containsSubsequence("confirmed", "chose", "claimed", "started", "done");
  }

  @Test
  void aHostWhoseKeyChangedIsNotTouched() throws Exception {
    f.policy("default", List.of(RepairAction.REBOOT, RepairAction.REPLACE), null, null);
    SimulatedMachine sim = f.fleet.add("m2", 0);
    String other = KeyUtils.getFingerPrint(
        KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256).getPublic());
    f.registerHealthy(sim, "web", other);
    f.service("repair-1", CommandMap.builtIn(), 2);

    f.fail("m2", "disk", "sda: latency 900 ms");
    long reboot = f.repair("m2").id();

    Await.until("the reboot failed", LIMIT, () -> f.admin.decisions(MachineId.of("m2"), 0, 100).items()
        .stream().anyMatch(d -> d.kind().equals("failed") && d.text().contains("host key mismatch")));
    assertThat(f.admin.decisions(MachineId.of("m2"), 0, 100).items()).filteredOn(d -> d.kind().equals("failed"))
        .singleElement().satisfies(d -> assertThat(d.text()).contains("host key mismatch", other,
            sim.hostKeyFingerprint(), "not sent"));
    Await.until("an incident stops automation on m2", LIMIT, () -> f.admin.incidents().stream()
        .anyMatch(i -> i.open() && i.scope().equals("machine:m2")));
    Await.until("the next step, Replace, is held by it", LIMIT, () -> {
      Repair r = f.repair("m2");
      return r.id() != reboot && r.action() == RepairAction.REPLACE && r.status() == Status.WAITING
          && r.held() != null && r.held().contains("open for machine:m2");
    });
    Thread.sleep(1_000); // the service would have claimed it at once if it could: it must not
    assertThat(f.repair("m2").status()).isEqualTo(Status.WAITING);
    assertThat(f.admin.decisions(MachineId.of("m2"), 0, 100).items())
        .as("only the Reboot was ever handed out").filteredOn(d -> d.kind().equals("claimed")).hasSize(1);
    assertThat(f.machine("m2").state()).isEqualTo(LifecycleState.FAILURE);
    assertThat(sim.boots()).as("never rebooted").isEqualTo(1);
    assertThat(sim.power()).as("never powered off").isEqualTo(SimulatedMachine.Power.ON);

    // an operator checks the machine on its console and pins the key it presents: the incident
    // is resolved, the held Replace is handed out and runs against the new key
    assertThat(f.admin.send(new org.autopilot.devicemanager.command.PinHostKey(MachineId.of("m2"), 0,
        sim.hostKeyFingerprint(), "checked on the console")).accepted()).isTrue();
    assertThat(f.admin.incidents().stream().filter(i -> i.scope().equals("machine:m2")))
        .allMatch(i -> !i.open());
    Await.until("the Replace ran", LIMIT, () -> f.repair("m2").status() == Status.DONE);
    assertThat(f.machine("m2").state()).isEqualTo(LifecycleState.REPLACE);
  }

  @Test
  void aLeaderKilledMidActionNeitherRunsTheStartedRepairAgainNorLosesAClaimedOne() throws Exception {
    f.type("slow", "img-1");
    f.policy("default", List.of(RepairAction.REBOOT, RepairAction.REIMAGE), null, "5s");
    // On "slow" machines a reboot leaves a trace and blocks; a reimage only leaves a trace.
    CommandMap commands = CommandMap.of(Map.of("slow", Map.of(
        "Reboot", "echo {repair} >> runs; sleep 15",
        "Reimage", "echo reimage-{repair} >> runs")));
    SimulatedMachine m1 = f.healthy("m1", "slow");
    SimulatedMachine m2 = f.healthy("m2", "web");
    RepairService a = f.service("repair-a", commands, 1);
    Await.until("repair-a leads", LIMIT, a::leading);
    RepairService b = f.service("repair-b", commands, 4);

    f.fail("m1", "disk", "sda: latency 900 ms");
    long first = f.repair("m1").id();
    Path runs = m1.disk().resolve("runs");
    Await.until("repair-a runs the reboot of m1", LIMIT, () -> is(f.repair("m1"), first, Status.STARTED)
        && Files.exists(runs));
    f.fail("m2", "disk", "sda: latency 900 ms");
    long second = f.repair("m2").id();
    Await.until("m2's reboot waits, free", LIMIT, () -> is(f.repair("m2"), second, Status.WAITING)
        && f.repair("m2").held() == null);
    // repair-a (its only slot busy) claims m2's reboot just before it dies: what it does
    // between ClaimRepair and StartRepair.
    f.accept(new ClaimRepair(MachineId.of("m2"), second, "repair-a", "claimed, then killed"));

    a.crash();

    Await.until("repair-b leads", LIMIT, b::leading);
    Await.until("repair-b claimed m2's reboot again and did it", LIMIT,
        () -> is(f.repair("m2"), second, Status.DONE));
    assertThat(f.repair("m2").holder()).isEqualTo("repair-b");
    Await.until("m2 back from its reboot", LIMIT, () -> m2.boots() == 2
        && m2.power() == SimulatedMachine.Power.ON);
    Await.until("m1's started reboot failed by the DM's action timeout, its reimage done", LIMIT,
        () -> f.repair("m1").id() != first && f.repair("m1").status() == Status.DONE);
    Repair reimage = f.repair("m1");
    assertThat(reimage.action()).isEqualTo(RepairAction.REIMAGE);
    assertThat(f.admin.decisions(MachineId.of("m1"), 0, 100).items()).anyMatch(d ->
        d.kind().equals("failed") && d.text().contains("not reported done within 5s"));
    assertThat(Files.readAllLines(runs)).as("m1's reboot ran once, under repair-a")
        .containsExactly(Long.toString(first), "reimage-" + reimage.id());
    assertThat(m2.boots()).as("m2 rebooted once").isEqualTo(2);
    assertThat(b.started()).isEqualTo(2);
  }

  @Test
  void aStoppedReplicaReportsTheActionItCutOffAndGivesTheLeaseUp() throws Exception {
    f.policy("default", List.of(RepairAction.REBOOT, RepairAction.REIMAGE), null, null);
    f.healthy("m7", "web");
    RepairService s = f.service("repair-1", CommandMap.of(Map.of("web", Map.of("Reboot", "sleep 20"))), 2);
    f.fail("m7", "disk", "sda: latency 900 ms");
    long id = f.repair("m7").id();
    Await.until("the reboot runs", LIMIT, () -> is(f.repair("m7"), id, Status.STARTED));

    s.close();

    assertThat(f.admin.decisions(MachineId.of("m7"), 0, 100).items()).anyMatch(d ->
        d.kind().equals("failed") && d.text().contains("interrupted") && d.text().contains("effect is unknown"));
    assertThat(f.repair("m7").id()).as("the next step is chosen").isNotEqualTo(id);
    assertThat(f.repair("m7").action()).isEqualTo(RepairAction.REIMAGE);
    org.autopilot.devicemanager.model.Lease lease = f.admin.leases().stream()
        .filter(l -> l.service().equals(RepairService.LEASE)).findFirst().orElseThrow();
    assertThat(lease.expiresAt()).as("released: it ends when it was given up, not at its TTL")
        .isBeforeOrEqualTo(java.time.Instant.now());
  }

  @Test
  void aNonUrgentRepairWaitsForItsMaintenanceWindowAndThenGoesOut() throws Exception {
    HealthPolicy.Window never = new HealthPolicy.Window("0 0 0 1 1 ? 2099", "1h");
    f.policy("web", List.of(RepairAction.REBOOT), List.of(never), null);
    SimulatedMachine m = f.healthy("m3", "web");
    RepairService s = f.service("repair-1", CommandMap.builtIn(), 2);
    f.fail("m3", "disk", "sda: latency 900 ms");
    Await.until("the reboot held outside the window", LIMIT, () -> f.repair("m3").held() != null
        && f.repair("m3").held().startsWith("outside maintenance window"));

    Instant opens = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
    ZonedDateTime t = opens.atZone(ZoneOffset.UTC);
    String cron = t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " * * ?";
    f.policy("web", List.of(RepairAction.REBOOT), List.of(new HealthPolicy.Window(cron, "1m")), null);
    Await.until("the window scheduled in Quartz", LIMIT, () -> s.windowSchedules().contains(cron));

    Await.until("the reboot done", LIMIT, () -> f.repair("m3").status() == Status.DONE);
    assertThat(f.repair("m3").claimedAt()).as("not handed out before the window").isAfterOrEqualTo(opens);
    Await.until("the window trigger fired", LIMIT, () -> s.passes(RepairService.Wake.WINDOW) >= 1);
    Await.until("rebooted", LIMIT, () -> m.boots() == 2);
  }

  @Test
  void aFatalErrorIsRepairedAtOnceEvenOutsideEveryWindow() throws Exception {
    HealthPolicy.Window never = new HealthPolicy.Window("0 0 0 1 1 ? 2099", "1h");
    f.policy("web", List.of(RepairAction.REBOOT), List.of(never), null);
    SimulatedMachine calm = f.healthy("m4", "web");
    SimulatedMachine dying = f.healthy("m5", "web");
    f.service("repair-1", CommandMap.builtIn(), 2);

    f.fail("m4", "disk", "sda: latency 900 ms");
    f.accept(new ReportWatchdogs(List.of(new MachineReport(MachineId.of("m5"), List.of(
        new Verdict("disk", Health.ERROR, "sda: unrecoverable read error", 1)))), "test watchdog"));

    Await.until("m5 replaced at once", LIMIT, () -> f.repair("m5").status() == Status.DONE);
    assertThat(f.repair("m5").urgent()).isTrue();
    assertThat(f.repair("m5").action()).isEqualTo(RepairAction.REPLACE);
    Await.until("m5 powered off", LIMIT, () -> dying.power() == SimulatedMachine.Power.OFF);
    assertThat(f.repair("m4").status()).isEqualTo(Status.WAITING);
    assertThat(f.repair("m4").held()).startsWith("outside maintenance window");
    assertThat(calm.boots()).isEqualTo(1);
  }

  @Test
  void replaceRunsTheReplaceCommandAndLeavesTheMachineInReplace() throws Exception {
    f.policy("default", List.of(RepairAction.REPLACE), null, null);
    SimulatedMachine m = f.healthy("m6", "web");
    f.service("repair-1", CommandMap.builtIn(), 2);

    f.fail("m6", "memory", "ECC errors: 40/min");

    Await.until("the replace reported done", LIMIT, () -> f.repair("m6").status() == Status.DONE);
    assertThat(f.repair("m6").action()).isEqualTo(RepairAction.REPLACE);
    assertThat(f.repair("m6").outcome()).contains("exit 0", "powering off");
    assertThat(f.machine("m6").state()).isEqualTo(LifecycleState.REPLACE);
    Await.until("powered off", LIMIT, () -> m.power() == SimulatedMachine.Power.OFF);
  }
}
