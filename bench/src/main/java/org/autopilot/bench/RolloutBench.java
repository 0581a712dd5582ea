package org.autopilot.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.autopilot.deployment.RolloutDriver;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.ManifestActivated;
import org.autopilot.devicemanager.event.ManifestAssigned;
import org.autopilot.devicemanager.event.RolloutUpdated;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Rollout;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.manifests.RolloutSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The control-plane overhead of a rollout at fleet scale: real DM replicas and the real rollout
 * driver; the machines are emulated in this process (a machine "holds" a version the moment it
 * is assigned and "runs" it with its app up the moment it is activated, reported in batches),
 * so that transfer and start-up time are zero and what remains is the DM's and driver's own.
 * Overhead per unit = when the next unit's last machine was activated, minus when the bake of
 * this unit's last activated machine ended.
 */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Control-plane overhead of a rollout per scale unit at fleet scale.")
public final class RolloutBench implements Callable<Integer> {
  @Option(names = "--machines", defaultValue = "10000") int machines;
  @Option(names = "--unit-size", defaultValue = "500") int unitSize;
  @Option(names = "--replicas", defaultValue = "3") int replicas;
  @Option(names = "--bake", defaultValue = "2s", description = "bake per machine") String bake;
  @Option(names = "--tick", defaultValue = "1s", description = "the driver's longest wait between advances") String tick;
  @Option(names = "--heap", defaultValue = "1g") String heap;
  @Option(names = "--in-process", description = "replicas inside this JVM (default: one process each)") boolean inProcess;
  @Option(names = "--data") Path data;
  @Option(names = "--verbose", description = "print every rollout update") boolean verbose;

  private final Map<MachineId, Integer> unitOf = new HashMap<>();
  private final Map<Integer, Instant> lastActivation = new ConcurrentHashMap<>();
  private final Map<MachineId, Instant> activatedAt = new ConcurrentHashMap<>();

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-rollout-bench-");
    int units = (machines + unitSize - 1) / unitSize;
    long bakeMs = org.autopilot.manifests.Durations.parse(bake, "bake").toMillis();
    System.out.printf("rollout: %d machines in %d units of %d, bake %s, driver tick %s, %d replicas%s%n",
        machines, units, unitSize, bake, tick, replicas, inProcess ? " in this JVM" : " (processes)");
    try (Replicas cluster = inProcess ? Replicas.inProcess(dir, replicas)
        : Replicas.processes(dir, replicas, heap, "")) {
      DmClient dm = new DmClient(cluster.apiUrls(), cluster.token(), new Random(1), Duration.ofSeconds(60), 6);
      dm.refreshLeader();
      long t0 = System.nanoTime();
      setUp(dm, units);
      System.out.printf("set-up: %d machines registered and Healthy in %.1f s%n", machines,
          (System.nanoTime() - t0) / 1e9);
      Emulator fleet = new Emulator(dm);
      try (RolloutDriver driver = new RolloutDriver(dm, "bench-driver",
          org.autopilot.manifests.Durations.parse(tick, "tick"), InstantSource.system())) {
        roll(dm, fleet, "1", "first version");
        lastActivation.clear();
        activatedAt.clear();
        long start = System.nanoTime();
        Rollout done = roll(dm, fleet, "2", "measured");
        double total = (System.nanoTime() - start) / 1e9;
        List<Long> overhead = new ArrayList<>();
        for (int u = 0; u + 1 < units; u++) {
          int unit = u;
          Instant bakeOver = activatedAt.entrySet().stream().filter(e -> unitOf.get(e.getKey()) == unit)
              .map(e -> e.getValue().plusMillis(bakeMs)).max(Instant::compareTo).orElseThrow();
          overhead.add(Duration.between(bakeOver, lastActivation.get(u + 1)).toMillis());
        }
        double mean = overhead.stream().mapToLong(Long::longValue).average().orElse(0);
        long max = overhead.stream().mapToLong(Long::longValue).max().orElse(0);
        new Report("rollout").put("machines", machines).put("units", units).put("unit_size", unitSize)
            .put("bake_ms", bakeMs).put("tick", tick).put("replicas", replicas)
            .put("status", done.status().name()).put("total_s", total)
            .put("overhead_ms_per_unit", mean).put("overhead_ms_max", max)
            .put("floor_ms_per_unit", 1000).put("ratio_vs_floor", mean / 1000.0)
            .put("reports_sent", fleet.reports)
            .print(String.format("rollout of %d machines in %d units: %s in %.1f s; overhead per unit "
                + "(next unit fully activated after this unit's bake ended): mean %.0f ms, max %d ms "
                + "(floor 1000 ms); per unit %s", machines, units, done.status(), total, mean, max, overhead));
      }
    }
    return 0;
  }

  private void setUp(DmClient dm, int units) {
    List<DmCommand> cmds = new ArrayList<>();
    cmds.add(new DefineMachineType("bench", null, "bench"));
    for (int u = 0; u < units; u++) {
      cmds.add(new DefineScaleUnit(String.format("u-%03d", u), "bench"));
    }
    send(dm, cmds);
    for (int i = 0; i < machines; i++) {
      MachineId id = MachineId.of(String.format("m%05d", i));
      unitOf.put(id, i / unitSize);
      cmds.add(new RegisterMachine(id, "127.0.0.1:1", "SHA256:bench", "bench",
          String.format("u-%03d", i / unitSize), null, MachineFacts.UNKNOWN, "bench"));
      for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
        cmds.add(new ChangeState(id, 0, s, "bench"));
      }
      if (cmds.size() >= 1000) {
        send(dm, cmds);
      }
    }
    send(dm, cmds);
    for (String v : List.of("1", "2")) {
      String hash = String.format("%064d", Integer.parseInt(v));
      send(dm, new ArrayList<>(List.of(new RegisterManifest(new Manifest("bench", v, "bench",
          List.of(new ManifestFile("app/run.sh", hash, 10, "0755", null)),
          List.of(new AppSpec("app", "app", "./run.sh", null, null, null)),
          new RolloutSettings(100, bake)), null, "bench"))));
    }
  }

  private Rollout roll(DmClient dm, Emulator fleet, String version, String what) throws Exception {
    send(dm, new ArrayList<>(List.of(new StartRollout(ManifestRef.parse("bench@" + version), what))));
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (System.nanoTime() < deadline) {
      fleet.step();
      Rollout r = fleet.rollout;
      if (r != null && r.to().version().equals(version) && !r.status().open()) {
        System.out.printf("bench@%s: %s after %s%n", version, r.status(), r.reason());
        return r;
      }
    }
    throw new IllegalStateException("rollout of bench@" + version + " did not end within 30 min");
  }

  private static void send(DmClient dm, List<DmCommand> cmds) {
    if (cmds.isEmpty()) {
      return;
    }
    dm.sendAll(List.copyOf(cmds)).stream().filter(r -> !r.accepted()).findFirst().ifPresent(r -> {
      throw new IllegalStateException("refused: " + r.reason());
    });
    cmds.clear();
  }

  /** Emulated app-managers: follow the audit trail, report what a real agent would. */
  private final class Emulator {
    final DmClient dm;
    final Map<MachineId, List<ManifestRef>> held = new HashMap<>();
    final Map<MachineId, ManifestRef> running = new HashMap<>();
    final List<DmCommand> pending = new ArrayList<>();
    long after;
    long reports;
    volatile Rollout rollout;

    Emulator(DmClient dm) {
      this.dm = dm;
      this.after = dm.watch(0, Duration.ZERO);
    }

    /** Reads new events (waiting briefly), reacts, reports in batches. */
    void step() {
      long t0 = System.nanoTime();
      dm.watch(after, Duration.ofMillis(500));
      long t1 = System.nanoTime();
      int n = 0;
      while (true) {
        var page = dm.events(after, 10_000);
        for (DmEvent e : page.items()) {
          after = e.revision();
          react(e);
          n++;
        }
        if (page.items().isEmpty() || page.next() == null) {
          break;
        }
      }
      long t2 = System.nanoTime();
      int sent = pending.size();
      reports += pending.size();
      for (int i = 0; i < pending.size(); i += 1000) {
        send(dm, new ArrayList<>(pending.subList(i, Math.min(pending.size(), i + 1000))));
      }
      pending.clear();
      long t3 = System.nanoTime();
      if (verbose && (t3 - t1) > 300_000_000L) {
        System.out.printf("  emulator: waited %d ms, read %d events in %d ms, sent %d reports in %d ms%n",
            (t1 - t0) / 1_000_000, n, (t2 - t1) / 1_000_000, sent, (t3 - t2) / 1_000_000);
      }
    }

    private void react(DmEvent e) {
      if (e instanceof ManifestAssigned a) {
        held.computeIfAbsent(a.machine(), k -> new ArrayList<>()).add(a.manifest());
        report(a.machine());
      } else if (e instanceof ManifestActivated a) {
        running.put(a.machine(), a.to());
        if (a.to().version().equals("2")) {
          activatedAt.put(a.machine(), a.at());
          lastActivation.merge(unitOf.get(a.machine()), a.at(), (x, y) -> x.isAfter(y) ? x : y);
        }
        report(a.machine());
      } else if (e instanceof RolloutUpdated r) {
        rollout = r.rollout();
        if (verbose) {
          System.out.printf("  %s rev %d %s %s next %s%n", r.at(), r.revision(),
              r.rollout().units().stream().map(u -> u.phase().name().substring(0, 3)).toList(),
              r.rollout().status(), r.rollout().nextCheck());
        }
      }
    }

    private void report(MachineId m) {
      ManifestRef run = running.get(m);
      pending.add(new ReportSoftware(m, held.getOrDefault(m, List.of()), run,
          run == null ? List.of() : List.of(new AppStatus("app", AppStatus.State.RUNNING, 0, "")), ""));
    }
  }
}
