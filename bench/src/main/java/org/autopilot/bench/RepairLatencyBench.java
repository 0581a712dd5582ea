package org.autopilot.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.*;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.repair.RepairConfig;
import org.autopilot.repair.RepairService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * From a confirmed Error to the repair reaching the machine: real DM replicas, the real repair
 * service, simulated machines over real SSH on loopback. Each round fails one Healthy machine
 * with an Error report that confirms at once; measured per round from the DM's own stamps:
 * confirmation (the StateChanged to Failure) → claim (the repair handed out), and from the
 * claim → the machine receiving its reboot over SSH (the simulated machine's wall clock; same
 * host, same clock). Beside it, the DM's bare command round trip in the same run: the part of
 * the latency no repair service can avoid (a claim is a command).
 */
@Command(name = "repair-latency", mixinStandardHelpOptions = true,
    description = "Time from a confirmed Error to the repair being issued and reaching the machine.")
public final class RepairLatencyBench implements Callable<Integer> {
  @Option(names = "--rounds", defaultValue = "60") int rounds;
  @Option(names = "--machines", defaultValue = "20") int machines;
  @Option(names = "--replicas", defaultValue = "3") int replicas;
  @Option(names = "--seed", defaultValue = "1") long seed;
  @Option(names = "--data") Path data;

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-repair-latency-");
    Random rnd = new Random(seed);
    System.out.printf("repair-latency: %d rounds over %d simulated machines (SSH on loopback), "
        + "%d DM replicas in this JVM, seed %d%n", rounds, machines, replicas, seed);
    try (Replicas cluster = Replicas.inProcess(dir.resolve("dm"), replicas);
        DmClient dm = new DmClient(cluster.apiUrls(), cluster.token(), new Random(seed),
            Duration.ofSeconds(30), 5)) {
      dm.refreshLeader();
      KeyPair operator = OperatorKey.loadOrCreate(dir.resolve("operator_key"));
      try (SimulatedFleet fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()),
          () -> MachineAgent.NONE, Duration.ofMillis(200))) {
        List<SimulatedMachine> sims = setUp(dm, fleet);
        RepairConfig config = RepairConfig.of("bench-repair", cluster.apiUrls(), cluster.token(),
            dir.resolve("operator_key"));
        try (RepairService service = RepairService.start(config, InstantSource.system())) {
          await("the repair service leads", service::leading);
          Histogram confirmToIssue = new Histogram(3_600_000, 3);
          Histogram issueToMachine = new Histogram(3_600_000, 3);
          Histogram commit = new Histogram(3_600_000, 3);
          for (int round = 0; round < rounds; round++) {
            SimulatedMachine sim = sims.get(round % sims.size());
            MachineId id = MachineId.of(sim.id());
            await(sim.id() + " Healthy again", () -> dm.machine(id).orElseThrow().state()
                == LifecycleState.HEALTHY);
            Thread.sleep(50 + rnd.nextInt(250));
            long t0 = System.nanoTime();
            dm.send(new DefineScaleUnit("su-1", "a bare round trip: accepted, changes nothing"));
            commit.recordValue(Math.max(1, (System.nanoTime() - t0) / 1_000_000));
            long before = sim.lastActionMillis();
            CommandResult r = dm.send(new ReportWatchdogs(List.of(new MachineReport(id,
                List.of(new Verdict("bench", Health.ERROR, "injected round " + round, 1)))), "bench"));
            if (!r.accepted()) {
              throw new IllegalStateException("report refused: " + r.reason());
            }
            await(sim.id() + " rebooted by the repair service", () -> sim.lastActionMillis() != before
                && dm.machine(id).orElseThrow().repair().status() != Repair.Status.CLAIMED);
            Instant confirmed = null;
            Instant claimed = null;
            for (DmEvent e : dm.events(r.revision() - r.events().size(), 1000).items()) {
              if (e instanceof StateChanged s && s.machine().equals(id) && s.to() == LifecycleState.FAILURE
                  && confirmed == null) {
                confirmed = s.at();
              } else if (e instanceof RepairUpdated u && u.machine().equals(id) && u.repair() != null
                  && u.repair().status() == Repair.Status.CLAIMED && claimed == null) {
                claimed = u.at();
              }
            }
            if (confirmed == null || claimed == null) {
              throw new IllegalStateException("round " + round + ": no confirmation or claim in the audit trail");
            }
            confirmToIssue.recordValue(Math.max(0, Duration.between(confirmed, claimed).toMillis()));
            issueToMachine.recordValue(Math.max(0, sim.lastActionMillis() - claimed.toEpochMilli()));
            dm.send(new ReportWatchdogs(List.of(new MachineReport(id,
                List.of(new Verdict("bench", Health.OK, "fine", 1)))), "bench"));
          }
          long p99 = confirmToIssue.getValueAtPercentile(99);
          new Report("repair-latency").put("rounds", rounds).put("machines", machines)
              .put("replicas", replicas)
              .put("confirm_to_issue_ms_p50", confirmToIssue.getValueAtPercentile(50))
              .put("confirm_to_issue_ms_p99", p99)
              .put("confirm_to_issue_ms_max", confirmToIssue.getMaxValue())
              .put("issue_to_machine_ms_p50", issueToMachine.getValueAtPercentile(50))
              .put("issue_to_machine_ms_p99", issueToMachine.getValueAtPercentile(99))
              .put("dm_command_ms_p50", commit.getValueAtPercentile(50))
              .put("dm_command_ms_p99", commit.getValueAtPercentile(99))
              .put("floor_ms", 1000).put("ratio_vs_floor", p99 / 1000.0)
              .put("ratio_vs_dm_command_p99", p99 / (double) Math.max(1, commit.getValueAtPercentile(99)))
              .print(String.format("confirmed Error → repair issued: p50 %d ms, p99 %d ms, max %d ms "
                  + "(floor 1000 ms); issued → reboot reached the machine over SSH: p50 %d ms, p99 %d ms; "
                  + "a bare DM command round trip beside it: p50 %d ms, p99 %d ms",
                  confirmToIssue.getValueAtPercentile(50), p99, confirmToIssue.getMaxValue(),
                  issueToMachine.getValueAtPercentile(50), issueToMachine.getValueAtPercentile(99),
                  commit.getValueAtPercentile(50), commit.getValueAtPercentile(99)));
        }
      }
    }
    return 0;
  }

  private List<SimulatedMachine> setUp(DmClient dm, SimulatedFleet fleet) throws Exception {
    send(dm, new DefineMachineType("bench", "img-1", "bench"), new DefineScaleUnit("su-1", "bench"),
        new SetHealthPolicy("default", new HealthPolicy(1, null, null, "1s", null, null,
            List.of(RepairAction.REBOOT), null, null, new HealthPolicy.Breaker(100, 100_000, null)),
            "bench: every Error confirms at once and is rebooted"));
    List<SimulatedMachine> sims = new ArrayList<>();
    for (int i = 0; i < machines; i++) {
      SimulatedMachine sim = fleet.add(String.format("m%03d", i), 0);
      MachineId id = MachineId.of(sim.id());
      send(dm, new RegisterMachine(id, "127.0.0.1:" + sim.port(), sim.hostKeyFingerprint(), "bench",
          "su-1", null, MachineFacts.UNKNOWN, "bench"),
          new ChangeState(id, 0, LifecycleState.PROVISIONING, "bench"),
          new ChangeState(id, 0, LifecycleState.BURN_IN, "bench"),
          new ChangeState(id, 0, LifecycleState.HEALTHY, "bench"));
      sims.add(sim);
    }
    return sims;
  }

  private static void send(DmClient dm, DmCommand... cmds) {
    for (CommandResult r : dm.sendAll(List.of(cmds))) {
      if (!r.accepted()) {
        throw new IllegalStateException("refused: " + r.reason());
      }
    }
  }

  private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }
}
