package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.fleetsim.Fault;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.manifests.ManifestRef;

/**
 * {@code autopilot demo --scenario}: a scripted story over the running demo, so a newcomer sees
 * the whole loop within about five minutes — the fleet provisioned, two new machines found and
 * provisioned, a manifest commit rolled out unit by unit, a hung agent confirmed and repaired.
 * Every act is something an operator or the hardware would do (add a machine, commit to git,
 * a fault); everything after it is the system's own doing. Each act and what followed is
 * printed with a {@code [story]} prefix. Every wait is bounded: a step that does not happen in
 * time is reported and the story goes on.
 */
final class DemoScenario implements Runnable {
  private static final ManifestRef WEB_2 = ManifestRef.parse("web@2");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private final DmClient dm;
  private final SimulatedFleet fleet;
  private final Path repo;
  private final Path examples;
  private final int machines;

  DemoScenario(DmClient dm, SimulatedFleet fleet, Path repo, Path examples, int machines) {
    this.dm = dm;
    this.fleet = fleet;
    this.repo = repo;
    this.examples = examples;
    this.machines = machines;
  }

  /** Starts the story on a daemon thread. */
  void start() {
    Thread t = new Thread(this, "demo-scenario");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void run() {
    try {
      say("1/4 the machines booted bare; provisioning discovers, images and burns them in");
      waitFor("all " + machines + " machines Healthy", Duration.ofMinutes(3),
          () -> count(LifecycleState.HEALTHY) >= machines);

      String a = String.format("sim-%02d", machines + 1);
      String b = String.format("sim-%02d", machines + 2);
      say("2/4 two new machines are racked: " + a + ", " + b + " (found by the next scan)");
      fleet.add(a, 0);
      fleet.add(b, 0);
      waitFor(a + " and " + b + " Healthy", Duration.ofMinutes(2),
          () -> state(a) == LifecycleState.HEALTHY && state(b) == LifecycleState.HEALTHY);

      if (repo != null && examples != null) {
        String commit = DemoRepo.commitExample(repo, examples, "web-v2.yaml");
        say("3/4 a manifest commit: web version 2 (" + commit.substring(0, 12)
            + "); ingested, then rolled out unit by unit within the budget");
        waitFor("web@2 running on every web machine", Duration.ofMinutes(3), () -> {
          List<Machine> web = dm.allMachines(Map.of("machineType", "web"));
          return !web.isEmpty() && web.stream().filter(m -> m.state() == LifecycleState.HEALTHY)
              .allMatch(m -> WEB_2.equals(m.software().running()));
        });
      }

      SimulatedMachine victim = fleet.machine("sim-02");
      if (victim != null) {
        say("4/4 the agent on sim-02 hangs (HUNG_AGENT): the watchdog service notices the silence, "
            + "the DM confirms and escalates, the repair service reboots it over SSH");
        victim.inject(Fault.HUNG_AGENT);
        waitFor("sim-02 repaired (a Reboot done)", Duration.ofMinutes(4), () -> {
          Machine m = dm.machine(MachineId.of("sim-02")).orElse(null);
          return m != null && m.repair() != null && m.repair().action() == RepairAction.REBOOT
              && m.repair().status() == Repair.Status.DONE;
        });
        waitFor("sim-02 Healthy again after its probation", Duration.ofMinutes(2),
            () -> state("sim-02") == LifecycleState.HEALTHY);
      }
      say("the story is told; the system keeps running (Ctrl-C stops it). "
          + "Try: ./autopilot fleet inject sim-05 DISK_ERROR");
    } catch (Exception e) {
      say("stopped: " + e);
    }
  }

  private long count(LifecycleState s) {
    return dm.allMachines(Map.of("state", s.label())).size();
  }

  private LifecycleState state(String id) {
    return dm.machine(MachineId.of(id)).map(Machine::state).orElse(null);
  }

  private void waitFor(String what, Duration limit, BooleanSupplier done) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ok;
      try {
        ok = done.getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      if (ok) {
        say("   " + what + " (after " + (System.nanoTime() - start) / 1_000_000_000 + " s)");
        return;
      }
      Thread.sleep(1000);
    }
    say("   not yet after " + limit.toSeconds() + " s: " + what + "; going on");
  }

  private static void say(String text) {
    System.out.println("[story " + LocalTime.now(ZoneOffset.UTC).format(TIME) + " UTC] " + text);
    System.out.flush();
  }
}
