package org.autopilot.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.LeaseKeeper;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.provisioning.discovery.Discovery;
import org.autopilot.provisioning.discovery.Identifier;
import org.autopilot.provisioning.discovery.Observation;
import org.autopilot.provisioning.discovery.Placement;
import org.autopilot.provisioning.imaging.Installer;
import org.autopilot.provisioning.rules.RulesKeeper;
import org.autopilot.provisioning.scan.Endpoint;
import org.autopilot.provisioning.scan.Scanner;
import org.autopilot.provisioning.ssh.MachineShell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One provisioning replica. Replicas elect a leader through the DM's {@value #LEASE} lease (renewed
 * every third of its time-to-live on a thread of its own, so a long sweep never lets it lapse);
 * only the leader acts. The leader sweeps the configured address ranges on a schedule and
 * registers what it finds ({@link Discovery}), and takes every machine in New, Provisioning and
 * BurnIn one step further on every change in the DM ({@link Provisioner}), a bounded number at
 * once. A replica may die at any moment: the next leader starts from what the DM holds (each
 * machine's recorded provisioning steps) and what the machine shows.
 */
public final class ProvisioningService implements AutoCloseable {
  /** The DM lease the replicas elect their leader with. */
  public static final String LEASE = "provisioning";
  private static final Logger LOG = LoggerFactory.getLogger(ProvisioningService.class);

  private final ProvisioningConfig config;
  private final DmClient dm;
  private final LeaseKeeper lease;
  private final MachineShell shell;
  private final Scanner scanner;
  private final Discovery discovery;
  private final List<Endpoint> endpoints;
  private final RulesKeeper rules;
  private final Thread leaseThread;
  private final Thread discoveryThread;
  private final Thread provisionThread;
  private final Provisioner provisioner;
  private final ExecutorService pool;
  private final Set<MachineId> busy =
      ConcurrentHashMap.newKeySet();
  private final Map<MachineId, String> lastStep =
      new ConcurrentHashMap<>();
  /** Per machine: the version last looked at and when (nanoTime): unchanged machines wait a tick. */
  private final Map<MachineId, long[]> looked =
      new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private final AtomicInteger sweeps = new AtomicInteger();
  private final AtomicReference<Discovery.Report> lastSweep = new AtomicReference<>();
  private static final int HEALTHY_LOOK_SECONDS = 30;
  private long healthyLooked = System.nanoTime() - TimeUnit.SECONDS.toNanos(HEALTHY_LOOK_SECONDS);
  private volatile boolean running = true;
  private volatile boolean leader;

  private ProvisioningService(ProvisioningConfig config, InstantSource clock) throws IOException {
    this.config = config;
    this.endpoints = config.scan().endpoints();
    this.rules = new RulesKeeper(config.rules(), config.rulesRefresh(), clock);
    this.dm = new DmClient(config.dmUrls(), config.dmToken(),
        org.autopilot.tls.TrustBundle.loadIfGiven(config.caFile(), "caFile"));
    this.lease = new LeaseKeeper(dm, LEASE, config.holder(), config.leaseTtl(), clock);
    this.shell = new MachineShell(config.sshUser(), MachineShell.loadIdentity(config.sshPrivateKey()),
        config.sshConnectTimeout());
    ScanSettings s = config.scan();
    this.scanner = new Scanner(s.concurrency(), s.ratePerSecond(), s.connectTimeout());
    this.discovery = new Discovery(dm, scanner, new Identifier(shell, s.machineIdCommand(),
        s.factsCommand(), config.sshCommandTimeout()), config.holder());
    this.provisioner = config.imaging() == null ? null : new Provisioner(dm,
        new Installer(shell, config.imaging(), config.sshCommandTimeout()),
        config.imaging(), config.burnIn(), config.holder(), config.dmUrls(), clock);
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(config.parallelism(),
        r -> daemon(r, "provisioning-machine-" + config.holder() + "-" + n.incrementAndGet()));
    this.provisionThread = daemon(this::provision, "provisioning-" + config.holder());
    this.leaseThread = daemon(this::keepLease, "provisioning-lease-" + config.holder());
    this.discoveryThread = daemon(this::discover, "provisioning-discovery-" + config.holder());
  }

  /** Starts a replica as {@code config} says; it competes for the lease at once. */
  public static ProvisioningService start(ProvisioningConfig config, InstantSource clock) throws IOException {
    ProvisioningService s = new ProvisioningService(config, clock);
    s.leaseThread.start();
    s.discoveryThread.start();
    if (s.provisioner != null) {
      s.provisionThread.start();
    }
    LOG.info("provisioning {} started: {} endpoints every {}, lease ttl {}", config.holder(),
        s.endpoints.size(), config.scan().every(), config.leaseTtl());
    return s;
  }

  /** Starts a replica from a YAML file ({@link ProvisioningConfigFile#load}). */
  public static ProvisioningService start(Path file) throws IOException {
    return start(ProvisioningConfigFile.load(file), InstantSource.system());
  }

  /** This replica's name in the lease. */
  public String holder() {
    return config.holder();
  }

  /** Whether this replica believes it holds the lease. */
  public boolean leading() {
    return leader;
  }

  /** How many sweeps this replica completed. */
  public int sweeps() {
    return sweeps.get();
  }

  /** The counts of its latest sweep, or null before the first. */
  public Discovery.Report lastSweep() {
    return lastSweep.get();
  }

  /** Asks for a sweep now (if leading). */
  public void sweepNow() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /** Why the latest read of the machine-type rules failed, or null. */
  public String rulesProblem() {
    return rules.problem();
  }

  private Optional<Placement> place(Observation o) {
    return rules.current().place(o.endpoint().host(), o.endpoint().port(), o.facts());
  }

  /** The latest step this replica decided for {@code machine} (for tests and logs), or null. */
  public String lastStep(String machine) {
    return lastStep.get(MachineId.of(machine));
  }

  /**
   * The provisioning loop: while leading, on every change in the DM (and at least every tick),
   * hands each machine provisioning is concerned with to a worker, one worker per machine at a time.
   */
  private void provision() {
    long index = 0;
    while (running) {
      try {
        if (!leader) {
          index = 0;
          Thread.sleep(200);
          continue;
        }
        Map<String, String> images = new HashMap<>();
        for (JsonNode t : dm.getJson("machine-types").path("items")) {
          JsonNode img = t.path("image");
          images.put(t.path("name").asText(), img.isNull() || img.isMissingNode() ? null : img.asText());
        }
        for (Machine m : concerned()) {
          long[] last = looked.get(m.id());
          boolean fresh = last == null || last[0] != m.version()
              || System.nanoTime() - last[1] >= config.tick().toNanos();
          if (fresh && Provisioner.concerns(m) && busy.add(m.id())) {
            pool.execute(() -> work(m, images));
          }
        }
        long before = index;
        index = dm.watch(index, config.tick());
        if (index == before) {
          continue;
        }
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      } catch (RejectedExecutionException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.warn("{}: look at the machines failed: {}", config.holder(), e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * The machines provisioning may have to act on: those in New, Provisioning and BurnIn (read by
   * state, not the whole fleet), and at most every {@value #HEALTHY_LOOK_SECONDS} s the Healthy ones,
   * for a machine that passed burn-in but whose software step did not get through.
   */
  private List<Machine> concerned() {
    List<Machine> out = new java.util.ArrayList<>();
    for (String state : List.of("New", "Provisioning", "BurnIn")) {
      out.addAll(dm.allMachines(Map.of("state", state)));
    }
    long now = System.nanoTime();
    if (now - healthyLooked >= TimeUnit.SECONDS.toNanos(HEALTHY_LOOK_SECONDS)) {
      healthyLooked = now;
      out.addAll(dm.allMachines(Map.of("state", "Healthy")));
    }
    return out;
  }

  private void work(Machine m, Map<String, String> images) {
    try {
      if (!leader || !running) {
        return;
      }
      String what = provisioner.reconcile(m, images);
      String old = lastStep.put(m.id(), what);
      if (!what.equals(old) && !what.startsWith("hold")) {
        LOG.debug("{}: {}", m.id(), what);
      }
    } catch (Provisioner.Stale e) {
      LOG.debug("{}", e.getMessage());
    } catch (Provisioner.LeaseLost e) {
      LOG.info("{}: not the leader any more: {}", config.holder(), e.getMessage());
      leader = false;
    } catch (RuntimeException e) {
      if (running) {
        LOG.warn("{}: {} not taken further: {}", config.holder(), m.id(), e.toString());
      }
    } finally {
      looked.put(m.id(), new long[] {m.version(), System.nanoTime()});
      busy.remove(m.id());
    }
  }

  private void keepLease() {
    long renewMillis = Math.max(50, config.leaseTtl().toMillis() / 3);
    while (running) {
      boolean was = leader;
      leader = lease.tryHold() && running;
      if (leader != was) {
        LOG.info("{} {} the {} lease (epoch {})", config.holder(), leader ? "holds" : "lost", LEASE,
            lease.epoch());
        if (leader) {
          sweepNow();
        }
      }
      try {
        Thread.sleep(renewMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void discover() {
    long everyMillis = config.scan().every().toMillis();
    while (running) {
      long started = System.nanoTime();
      if (leader) {
        try {
          Discovery.Report r = discovery.sweep(endpoints, this::place,
              () -> !running || !leader);
          lastSweep.set(r);
          sweeps.incrementAndGet();
          if (r.registered() + r.placed() + r.mismatches() + r.conflicts() > 0) {
            LOG.info("{}: sweep of {} endpoints: {} open, {} registered, {} placed, {} known, "
                + "{} host key mismatches, {} key conflicts, {} not identified", config.holder(),
                r.tried(), r.open(), r.registered(), r.placed(), r.known(), r.mismatches(),
                r.conflicts(), r.unidentified());
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          if (running) {
            LOG.warn("{}: sweep failed: {}", config.holder(), e.toString());
          }
        }
      }
      long waitMillis = leader ? everyMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
          : 200;
      synchronized (wake) {
        try {
          if (running && waitMillis > 0) {
            wake.wait(waitMillis);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops: no new work, the lease given up. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    leader = false;
    leaseThread.interrupt();
    discoveryThread.interrupt();
    provisionThread.interrupt();
    join(leaseThread);
    join(discoveryThread);
    join(provisionThread);
    pool.shutdown();
    try {
      if (!pool.awaitTermination(config.sshCommandTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        shell.abort();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scanner.close();
    lease.release();
    shell.close();
    dm.close();
    LOG.info("provisioning {} stopped", config.holder());
  }

  /**
   * Dies as a killed process would, for tests: every session and thread is cut off, nothing is
   * reported and the lease is not given up (it expires).
   */
  void crash() {
    running = false;
    leader = false;
    leaseThread.interrupt();
    discoveryThread.interrupt();
    provisionThread.interrupt();
    shell.abort();
    pool.shutdownNow();
    scanner.close();
    dm.close();
    shell.close();
  }

  private static void join(Thread t) {
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
