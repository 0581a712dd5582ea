package org.autopilot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.SetBudget;
import org.autopilot.devicemanager.command.SetHealthPolicy;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.RepairAction;
import org.autopilot.devicemanager.model.Rollout;
import org.autopilot.manifests.ManifestRef;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos run (docs/chaos.md). Everything real, in this JVM, on loopback: while provisioning
 * installs a fleet of bare machines, a new manifest version rolls out and injected machine faults
 * lead to repairs, a {@link ChaosMonkey seeded schedule} kills and restarts DM replicas (the
 * leader among them), the repair and provisioning leaders, deployment servers and agents, and
 * takes DM replicas off the network for a while. Then, with everything back, the fleet must
 * converge, and every replica's audit trail must hold every acknowledged write, no repair handed
 * out or started twice, and no budget exceeded. {@code -Dchaos.seed} replays a schedule (the
 * seed is printed at the start and in every failure); {@code -Dchaos.minutes} sets how long the
 * chaos lasts. Runs only under {@code -Pchaos}.
 */
@Tag("chaos")
class ChaosTest {
  static final int MACHINES = 12;
  static final ManifestRef V1 = ManifestRef.parse("web@1");
  @TempDir Path dir;

  @Test
  void theFleetConvergesAndTheAuditTrailHoldsWhilePartsAreKilledAndCutOff() throws Exception {
    String seedText = System.getProperty("chaos.seed", "");
    long seed = seedText.isBlank() ? new Random().nextLong() : Long.parseLong(seedText.strip());
    double minutes = Double.parseDouble(System.getProperty("chaos.minutes", "2").strip());
    System.out.printf("[chaos] seed %d, %.1f minutes of chaos, %d machines (replay: -Dchaos.seed=%d)%n",
        seed, minutes, MACHINES, seed);
    long t0 = System.nanoTime();
    try (ChaosWorld world = new ChaosWorld(dir, MACHINES, seed)) {
      run(world, seed, minutes, t0);
    } catch (Throwable t) {
      throw new AssertionError("chaos seed " + seed + " (replay with -Dchaos.seed=" + seed + "): "
          + t.getMessage(), t);
    }
  }

  void run(ChaosWorld world, long seed, double minutes, long t0) throws Exception {
    AckLog acks = new AckLog();
    bringUp(world, acks, t0);
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread prober = probeWriter(world, acks, probing);
    ChaosMonkey monkey = new ChaosMonkey(world, seed, t0, () -> machines(world.admin));
    Throwable[] monkeyFailed = new Throwable[1];
    Thread chaos = new Thread(() -> {
      try {
        monkey.run(Duration.ofMillis((long) (minutes * 60_000)));
      } catch (Throwable t) {
        monkeyFailed[0] = t;
      }
    }, "chaos-monkey");
    chaos.start();
    await(t0, "half the fleet in service", Duration.ofMinutes(3),
        () -> machines(world.admin).stream().filter(m -> m.state() == LifecycleState.HEALTHY).count()
            >= MACHINES / 2);
    world.commitManifest("2");
    phase(t0, "web@2 committed: the rollout runs under chaos");
    chaos.join(Duration.ofMinutes((long) minutes + 3).toMillis());
    assertThat(chaos.isAlive()).as("the chaos schedule ended").isFalse();
    if (monkeyFailed[0] != null) {
      throw new AssertionError("the chaos schedule itself failed", monkeyFailed[0]);
    }
    phase(t0, "chaos over, everything running and connected again");

    Duration settle = Duration.ofSeconds(Long.getLong("chaos.settleSeconds", 240));
    Map<String, String> pending = new LinkedHashMap<>();
    // a fault injected in the schedule's last seconds may not have been noticed yet: settled means
    // converged *and* every fault's repair started (the check below still judges the final trail)
    boolean converged = awaitQuietly(settle, () -> {
      pending.clear();
      pending.putAll(notConverged(world, monkey.diskFailed));
      if (pending.isEmpty()) {
        AuditChecks.faultsRepaired(Trails.read(world.dm.directApiUrl(world.dm.ids().get(0)),
            world.dm.token(Role.ADMIN)), monkey.faulted).forEach(v -> pending.put("repair " + pending.size(), v));
      }
      return pending.isEmpty();
    });
    phase(t0, converged ? "the fleet converged" : "the fleet did NOT converge: " + pending);
    probing.set(false);
    prober.join(10_000);

    Map<String, List<DmEvent>> trails = readTrails(world, t0);
    List<DmEvent> trail = trails.get(world.dm.ids().get(0));
    Map<String, List<String>> violations = check(world, trails, acks.acknowledged(), monkey);
    violations.put("fleet converged", pending.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
    // the acknowledged-writes check means something only if writes were acknowledged under chaos
    violations.put("probe writes mostly acknowledged", acks.acknowledged().size() > acks.unknown() + acks.rejected()
        ? List.of() : List.of(acks.acknowledged().size() + " events acknowledged, " + acks.unknown()
            + " commands unanswered, " + acks.rejected() + " rejected"));

    report(t0, monkey, acks, trail, violations, rollout(world.admin));
    if (violations.values().stream().anyMatch(v -> !v.isEmpty())) {
      Path dump = Path.of("target", "chaos-trail-" + seed + ".txt");
      java.nio.file.Files.write(dump, trail.stream().map(Object::toString).toList());
      System.out.println("[chaos] the whole audit trail (" + trail.size() + " events) is in " + dump.toAbsolutePath());
    }
    assertThat(violations).as("chaos seed %d: violations per check", seed)
        .allSatisfy((check, found) -> assertThat(found).as(check).isEmpty());
  }

  /** Every replica's whole trail, read directly once they all hold the same number of events. */
  static Map<String, List<DmEvent>> readTrails(ChaosWorld world, long t0) throws InterruptedException {
    Map<String, List<DmEvent>> trails = new LinkedHashMap<>();
    await(t0, "every replica caught up", Duration.ofSeconds(60), () -> {
      trails.clear();
      for (String id : world.dm.ids()) {
        trails.put(id, Trails.read(world.dm.directApiUrl(id), world.dm.token(Role.ADMIN)));
      }
      return trails.values().stream().mapToInt(List::size).distinct().count() == 1;
    });
    return trails;
  }

  /** The trail checks (docs/chaos.md), by name: what each found. */
  static Map<String, List<String>> check(ChaosWorld world, Map<String, List<DmEvent>> trails,
      List<DmEvent> acked, ChaosMonkey monkey) {
    Map<String, List<String>> violations = new LinkedHashMap<>();
    String first = world.dm.ids().get(0);
    for (String id : world.dm.ids()) {
      List<DmEvent> t = trails.get(id);
      violations.computeIfAbsent("trail complete", k -> new ArrayList<>()).addAll(
          AuditChecks.complete(t).stream().map(v -> id + ": " + v).toList());
      violations.computeIfAbsent("acknowledged writes present", k -> new ArrayList<>()).addAll(
          AuditChecks.acknowledgedPresent(t, acked).stream().map(v -> id + ": " + v).toList());
      violations.computeIfAbsent("replicas agree", k -> new ArrayList<>()).addAll(
          AuditChecks.sameTrail(first, trails.get(first), id, t));
    }
    List<DmEvent> trail = trails.get(first);
    violations.put("no repair handed out or started twice", AuditChecks.noRepairTwice(trail));
    violations.put("budgets held", AuditChecks.budgetsHeld(trail));
    violations.put("every fault repaired", AuditChecks.faultsRepaired(trail, monkey.faulted));
    Map<String, int[]> seen = new LinkedHashMap<>();
    world.fleet.machines().forEach(m -> seen.put(m.id(), new int[] {m.boots(), m.reimages().size()}));
    violations.put("machine actions recorded", AuditChecks.machineActionsRecorded(trail, seen));
    return violations;
  }

  /** DM set up, web@1 released, the satellites started, the bare fleet booted. */
  void bringUp(ChaosWorld world, AckLog acks, long t0) throws Exception {
    phase(t0, "DM cluster up, leader " + awaitLeader(world));
    String image = world.makeImage();
    setUp(world, acks, image);
    world.startDeploymentPipeline();
    world.commitManifest("1");
    await(t0, "web@1 released to the (empty) type", Duration.ofSeconds(60),
        () -> V1.equals(rollout(world.admin) == null ? null : rollout(world.admin).released()));
    world.startWatchdogService();
    for (int i = 0; i < 2; i++) {
      world.startRepair(i);
      world.startProvisioning(i);
    }
    world.bootFleet();
    phase(t0, "services started, " + MACHINES + " bare machines booted");
  }

  void setUp(ChaosWorld world, AckLog acks, String image) {
    HealthPolicy quick = new HealthPolicy(3, "3s", "4s", "5s", "30s", "24h", List.of(RepairAction.REBOOT),
        null, null, new HealthPolicy.Breaker(100, 50, "5s"));
    for (var c : List.of(new DefineMachineType("web", image, "chaos: os 1"),
        new DefineScaleUnit("su-1", "chaos"), new DefineScaleUnit("su-2", "chaos"),
        new SetBudget("unit:su-1", "2", "chaos: two of a unit out at once"),
        new SetBudget("unit:su-2", "2", "chaos"), new SetBudget("fleet", "3", "chaos"),
        new SetHealthPolicy("default", quick, "chaos: quick, every failure rebooted, breaker off"))) {
      CommandResult r = acks.send(world.admin, c);
      assertThat(r).as("%s answered", c).isNotNull();
      assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
    }
  }

  /** Writes a harmless command (a new scale unit) every 250 ms through its own client. */
  static Thread probeWriter(ChaosWorld world, AckLog acks, AtomicBoolean probing) {
    Thread t = new Thread(() -> {
      // DefineScaleUnit changes the fleet's shape: an admin's command
      try (DmClient c = new DmClient(world.dm.apiUrls(), world.dm.token(Role.ADMIN), new Random(7),
          Duration.ofSeconds(3), 3)) {
        for (int i = 0; i < 100_000 && probing.get(); i++) {
          acks.send(c, new DefineScaleUnit("probe-" + i, "chaos probe write " + i));
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }, "chaos-probe-writer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Machines not (yet) in their expected state, with what they show. */
  static Map<String, String> notConverged(ChaosWorld world, List<String> diskFailed) {
    Map<String, String> pending = new LinkedHashMap<>();
    Rollout r = rollout(world.admin);
    List<Machine> ms = machines(world.admin);
    if (ms.size() < MACHINES) {
      pending.put("fleet", ms.size() + " of " + MACHINES + " machines registered");
    }
    if (r == null || r.status().open()) {
      pending.put("rollout", r == null ? "none" : r.to() + " " + r.status());
    }
    ManifestRef released = r == null ? null : r.released();
    for (Machine m : ms) {
      String id = m.id().value();
      boolean ok;
      if (diskFailed.contains(id)) {
        ok = m.state() == LifecycleState.REPLACE;
      } else {
        ok = m.state() == LifecycleState.HEALTHY && released != null
            && released.equals(m.software().active()) && released.equals(m.software().running())
            && !m.software().apps().isEmpty()
            && m.software().apps().stream().allMatch(a -> a.state() == AppStatus.State.RUNNING)
            && (m.repair() == null || !m.repair().status().inFlight());
      }
      if (!ok) {
        pending.put(id, m.state().label() + " active " + m.software().active() + " running "
            + m.software().running() + " apps " + m.software().apps().stream().map(a -> a.state().name()).toList()
            + " repair " + (m.repair() == null ? "-" : m.repair().action() + "/" + m.repair().status())
            + (diskFailed.contains(id) ? " (disk failed: expected Replace)" : " (expected Healthy on " + released + ")"));
      }
    }
    return pending;
  }

  static void report(long t0, ChaosMonkey monkey, AckLog acks, List<DmEvent> trail,
      Map<String, List<String>> violations, Rollout rollout) {
    System.out.println("[chaos] faults injected (kind x count):");
    monkey.tally().forEach((k, n) -> System.out.printf("[chaos]   %-28s %3d%n", k, n));
    System.out.printf("[chaos] acknowledged events %d (commands unanswered %d, rejected %d); trail %d events%n",
        acks.acknowledged().size(), acks.unknown(), acks.rejected(), trail.size());
    System.out.println("[chaos] repairs started, by action: " + AuditChecks.repairsStarted(trail));
    System.out.println("[chaos] rollout: " + (rollout == null ? "none" : rollout.to() + " " + rollout.status()
        + " (" + rollout.reason() + "), released " + rollout.released()));
    violations.forEach((check, found) -> System.out.printf("[chaos] check %-40s %s%n", check,
        found.isEmpty() ? "ok" : found.size() + " violation(s): " + found.subList(0, Math.min(5, found.size()))));
    phase(t0, "done");
  }

  static Rollout rollout(DmClient admin) {
    try {
      for (var item : admin.getJson("rollouts").get("items")) {
        Rollout r = Json.lenient().convertValue(item, Rollout.class);
        if ("web".equals(r.machineType())) {
          return r;
        }
      }
    } catch (RuntimeException outage) {
      return null;
    }
    return null;
  }

  static List<Machine> machines(DmClient admin) {
    try {
      return admin.allMachines(Map.of());
    } catch (RuntimeException outage) {
      return List.of();
    }
  }

  static String awaitLeader(ChaosWorld world) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      String l = world.dm.leader();
      if (l != null) {
        return l;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no DM leader within 30 s");
  }

  static void phase(long t0, String what) {
    System.out.printf("[chaos] %6.1fs %s%n", (System.nanoTime() - t0) / 1e9, what);
  }

  static void await(long t0, String what, Duration limit, java.util.function.BooleanSupplier ok)
      throws InterruptedException {
    if (!awaitQuietly(limit, ok)) {
      throw new AssertionError("not within " + limit + ": " + what);
    }
    phase(t0, what);
  }

  static boolean awaitQuietly(Duration limit, java.util.function.BooleanSupplier ok) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (ok.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException notYet) {
        // a part is still coming back: look again
      }
      Thread.sleep(500);
    }
    return false;
  }
}
