package org.autopilot.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.fleetsim.Fault;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.provisioning.ProvisioningService;
import org.autopilot.repair.RepairService;

/**
 * The seeded chaos schedule: one disruption at a time, each applied, held for a random while and
 * healed, with a random pause between them, until the time is up. Every choice (which
 * disruption, which replica or machine, how long) comes from one {@link Random} seeded with the
 * run's seed, so a seed replays the same schedule (the system's own timing still varies run to
 * run: threads, elections, SSH). One at a time keeps a DM quorum: at most one replica is down or
 * off the network at any moment, which Raft with three replicas must survive.
 */
final class ChaosMonkey {
  /** The kinds of disruption, as counted in the closing table. */
  enum Kind {
    DM_REPLICA_KILLED, DM_LEADER_KILLED, DM_REPLICA_OFF_NETWORK, REPAIR_LEADER_KILLED,
    PROVISIONING_LEADER_KILLED, DEPLOYMENT_SERVER_KILLED, AGENT_KILLED, FAULT_HUNG_AGENT,
    FAULT_CRASHING_APP, FAULT_DISK_ERROR
  }

  private final ChaosWorld world;
  private final Random random;
  private final Supplier<List<Machine>> dmMachines;
  private final Map<Kind, Integer> tally = new TreeMap<>();
  private final List<String> log = new ArrayList<>();
  /** Machines given a fault that stays (disk): they must end in Replace. */
  final List<String> diskFailed = new ArrayList<>();
  /** Machines given a fault, with the fault. */
  final Map<String, Fault> faulted = new java.util.concurrent.ConcurrentHashMap<>();
  private final long start;

  /** A schedule from {@code seed}; times printed are seconds since {@code start} (nanoTime). */
  ChaosMonkey(ChaosWorld world, long seed, long start, Supplier<List<Machine>> dmMachines) {
    this.start = start;
    this.world = world;
    this.random = new Random(seed);
    this.dmMachines = dmMachines;
  }

  /**
   * Runs disruptions until {@code duration} has passed (the last one is healed after it): rounds
   * of the eight disruptions (a machine fault counting as one) in a seeded random order, so every
   * kind comes up in a run of a few minutes.
   */
  void run(Duration duration) throws Exception {
    long end = System.nanoTime() + duration.toNanos();
    int faults = 0;
    List<Integer> round = new ArrayList<>();
    for (int step = 0; step < 10_000 && System.nanoTime() < end; step++) {
      if (round.isEmpty()) {
        for (int i = 0; i < 8; i++) {
          round.add(i);
        }
        java.util.Collections.shuffle(round, random);
      }
      pause(1000, 4000);
      switch (round.remove(0)) {
        case 0 -> killReplica(false);
        case 1 -> killReplica(true);
        case 2 -> offNetwork();
        case 3 -> killRepairLeader();
        case 4 -> killProvisioningLeader();
        case 5 -> killDeploymentServer();
        case 6 -> killAgent();
        default -> faults += faults < 6 && injectFault() ? 1 : 0;
      }
    }
  }

  /** How many of each disruption, by kind. */
  Map<Kind, Integer> tally() {
    return tally;
  }

  /** What was done, in order, with seconds since the start. */
  List<String> log() {
    return log;
  }

  private void note(Kind kind, String what) {
    tally.merge(kind, 1, Integer::sum);
    String line = String.format("%6.1fs %-26s %s", (System.nanoTime() - start) / 1e9, kind, what);
    log.add(line);
    System.out.println("[chaos] " + line);
  }

  private void killReplica(boolean leader) throws Exception {
    List<String> ids = world.dm.ids();
    String id = leader ? world.dm.leader() : ids.get(random.nextInt(ids.size()));
    if (id == null) {
      return;
    }
    long downMs = 2000 + random.nextInt(6000);
    note(leader ? Kind.DM_LEADER_KILLED : Kind.DM_REPLICA_KILLED, id + " down for " + downMs + " ms");
    world.dm.kill(id);
    Thread.sleep(downMs);
    world.dm.restart(id);
  }

  private void offNetwork() throws Exception {
    List<String> ids = world.dm.ids();
    String id = ids.get(random.nextInt(ids.size()));
    long offMs = 4000 + random.nextInt(10_000);
    note(Kind.DM_REPLICA_OFF_NETWORK, id + " (" + (id.equals(world.dm.leader()) ? "leader" : "follower")
        + ") off the network for " + offMs + " ms");
    world.dm.isolate(id);
    long cutAt = world.dm.revision(id);
    Thread.sleep(offMs);
    long isolated = world.dm.revision(id);
    long others = world.dm.ids().stream().filter(o -> !o.equals(id)).mapToLong(world.dm::revision).max().orElse(-1);
    world.dm.reconnect(id);
    System.out.printf("[chaos]        %s was cut off at revision %d and stood at %d when reconnected; the others at %d%n",
        id, cutAt, isolated, others);
  }

  private void killRepairLeader() throws Exception {
    for (int i = 0; i < world.repair.length; i++) {
      RepairService r = world.repair[i];
      if (r != null && r.leading()) {
        note(Kind.REPAIR_LEADER_KILLED, r.holder());
        r.close();
        world.repair[i] = null;
        pause(1000, 5000);
        world.startRepair(i);
        return;
      }
    }
  }

  private void killProvisioningLeader() throws Exception {
    for (int i = 0; i < world.provisioning.length; i++) {
      ProvisioningService p = world.provisioning[i];
      if (p != null && p.leading()) {
        note(Kind.PROVISIONING_LEADER_KILLED, p.holder());
        p.close();
        world.provisioning[i] = null;
        pause(1000, 5000);
        world.startProvisioning(i);
        return;
      }
    }
  }

  private void killDeploymentServer() throws Exception {
    int i = random.nextInt(world.deploy.length);
    long downMs = 2000 + random.nextInt(6000);
    note(Kind.DEPLOYMENT_SERVER_KILLED, "deploy" + (i + 1) + " down for " + downMs + " ms");
    world.deploy[i].close();
    Thread.sleep(downMs);
    world.startDeploy(i);
  }

  private void killAgent() throws Exception {
    List<SimulatedMachine> on = world.fleet.machines().stream()
        .filter(m -> m.power() == SimulatedMachine.Power.ON).toList();
    if (on.isEmpty()) {
      return;
    }
    SimulatedMachine m = on.get(random.nextInt(on.size()));
    long downMs = 200 + random.nextInt(1500);
    MachineAgent agent;
    synchronized (m) {
      agent = m.agent();
      if (agent == null || m.power() != SimulatedMachine.Power.ON) {
        return;
      }
      note(Kind.AGENT_KILLED, m.id() + "'s agent (and its apps) down for " + downMs + " ms");
      agent.stop();
    }
    Thread.sleep(downMs);
    synchronized (m) {
      // restarted only if the machine was not rebooted meanwhile (a reboot starts a new agent)
      if (m.agent() == agent && m.power() == SimulatedMachine.Power.ON) {
        agent.start(m);
      }
    }
  }

  /** A fault on a Healthy machine without one; true if injected. */
  private boolean injectFault() {
    List<String> healthy = new ArrayList<>();
    for (Machine m : dmMachines.get()) {
      SimulatedMachine sim = world.fleet.machine(m.id().value());
      if (m.state() == LifecycleState.HEALTHY && sim != null && sim.faults().isEmpty()
          && !diskFailed.contains(m.id().value())) {
        healthy.add(m.id().value());
      }
    }
    if (healthy.isEmpty()) {
      return false;
    }
    String id = healthy.get(random.nextInt(healthy.size()));
    int pick = random.nextInt(10);
    Fault fault = pick < 4 ? Fault.HUNG_AGENT : pick < 8 || !diskFailed.isEmpty() ? Fault.CRASHING_APP
        : Fault.DISK_ERROR;
    Kind kind = Kind.valueOf("FAULT_" + fault.name());
    note(kind, id);
    if (fault == Fault.DISK_ERROR) {
      diskFailed.add(id);
    }
    faulted.put(id, fault);
    world.fleet.machine(id).inject(fault);
    return true;
  }

  private void pause(int minMs, int maxMs) throws InterruptedException {
    Thread.sleep(minMs + random.nextInt(maxMs - minMs));
  }
}
