package org.autopilot.repair;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.api.FleetQueries.RepairQueue;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.client.LeaseKeeper;
import org.autopilot.devicemanager.command.ClaimRepair;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.repair.plan.RepairPlan;
import org.autopilot.repair.ssh.ManagementShell;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One repair service replica. Replicas elect a leader through the DM's {@code repair} lease; the
 * leader looks at the DM's repair queue whenever the fleet changes (a blocking watch of
 * {@code /repairs}), on its Quartz run schedule and at the opening of every maintenance window,
 * and takes what {@link RepairPlan} picks: claim (the DM checks lease, budgets, windows,
 * incidents), start (the DM checks the claim's lease epoch), run the configured command over SSH,
 * finish with the outcome. Refusals are the normal outcome of races and are only logged. A
 * replica may die at any moment: a claim it never started is claimed again by the next leader; a
 * started one is never run again (the DM fails it after its action timeout).
 */
public final class RepairService implements AutoCloseable {
  /** The DM lease the replicas elect their leader with. */
  public static final String LEASE = "repair";
  private static final Logger LOG = LoggerFactory.getLogger(RepairService.class);
  private static final Duration WATCH_WAIT = Duration.ofSeconds(30);

  /** Why the queue is looked at. */
  public enum Wake {
    /** The replica started or became leader. */
    START,
    /** The fleet changed (the blocking watch of {@code /repairs} returned). */
    WATCH,
    /** The Quartz run schedule fired. */
    SCHEDULE,
    /** A maintenance window of a health policy opened (Quartz). */
    WINDOW
  }

  private final RepairConfig config;
  private final DmClient dm;
  private final LeaseKeeper lease;
  private final ManagementShell shell;
  private final ActionRunner runner;
  private final RepairSchedules schedules;
  private final ExecutorService pool;
  private final Map<Long, Boolean> busy = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Wake> wakes = new LinkedBlockingQueue<>();
  private final AtomicReference<RepairQueue> watched = new AtomicReference<>();
  private final AtomicLongArray passes = new AtomicLongArray(Wake.values().length);
  private final AtomicInteger started = new AtomicInteger();
  private final Thread worker;
  private final Thread watcher;
  private volatile boolean running = true;
  private volatile boolean crashed;
  private volatile boolean leader;

  private RepairService(RepairConfig config, InstantSource clock) throws IOException {
    this.config = config;
    this.dm = new DmClient(config.dmUrls(), config.dmToken(),
        org.autopilot.tls.TrustBundle.loadIfGiven(config.caFile(), "caFile"));
    this.lease = new LeaseKeeper(dm, LEASE, config.holder(), config.leaseTtl(), clock);
    this.shell = new ManagementShell(config.sshUser(), ManagementShell.loadIdentity(config.sshPrivateKey()),
        config.sshConnectTimeout(), config.sshCommandTimeout());
    this.runner = new ActionRunner(dm, config.holder(), shell, config.commands(), () -> !running,
        () -> crashed);
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(config.parallelism(), config.parallelism(), 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> daemon(r, "repair-action-" + config.holder() + "-" + n.incrementAndGet()));
    try {
      this.schedules = new RepairSchedules(config.holder(), config.runCron(), this::wake);
    } catch (SchedulerException e) {
      shell.close();
      dm.close();
      throw new IOException("cannot start the Quartz scheduler: " + e.getMessage(), e);
    }
    this.worker = daemon(this::work, "repair-" + config.holder());
    this.watcher = daemon(this::watch, "repair-watch-" + config.holder());
  }

  /** Starts a replica as {@code config} says; it competes for the lease at once. */
  public static RepairService start(RepairConfig config, InstantSource clock) throws IOException {
    RepairService s = new RepairService(config, clock);
    s.wake(Wake.START);
    s.worker.start();
    s.watcher.start();
    LOG.info("repair service {} started (parallelism {}, run schedule '{}', lease ttl {})",
        config.holder(), config.parallelism(), config.runCron(), config.leaseTtl());
    return s;
  }

  /** Starts a replica from a YAML file ({@link RepairConfig#load}). */
  public static RepairService start(Path file) throws IOException {
    return start(RepairConfig.load(file), InstantSource.system());
  }

  /** This replica's name in the lease. */
  public String holder() {
    return config.holder();
  }

  /** Whether this replica believes it holds the lease. */
  public boolean leading() {
    return leader;
  }

  /** How many looks at the queue happened for {@code why} (a look may have several reasons). */
  public long passes(Wake why) {
    return passes.get(why.ordinal());
  }

  /** How many repairs this replica started (the DM accepted its {@code StartRepair}). */
  public int started() {
    return started.get();
  }

  /** The maintenance window crons scheduled in Quartz now. */
  public Set<String> windowSchedules() {
    return schedules.windows();
  }

  /** Asks for a look at the queue. */
  void wake(Wake why) {
    wakes.offer(why);
  }

  private void work() {
    long renewNanos = config.leaseTtl().toNanos() / 3;
    long renewed = 0;
    while (running) {
      EnumSet<Wake> why = EnumSet.noneOf(Wake.class);
      try {
        Wake w = wakes.poll(renewNanos, TimeUnit.NANOSECONDS);
        if (w != null) {
          why.add(w);
        }
      } catch (InterruptedException e) {
        return;
      }
      for (Wake w = wakes.poll(); w != null; w = wakes.poll()) {
        why.add(w);
      }
      try {
        if (why.contains(Wake.START) || why.contains(Wake.SCHEDULE)) {
          refreshWindows();
        }
        boolean was = leader;
        if (!was || System.nanoTime() - renewed >= renewNanos) {
          leader = lease.tryHold() && running;
          renewed = System.nanoTime();
          if (leader != was) {
            LOG.info("{} {} the {} lease (epoch {})", config.holder(), leader ? "holds" : "lost",
                LEASE, lease.epoch());
          }
        }
        if (leader && !was) {
          why.add(Wake.START);
        }
        if (leader && !why.isEmpty()) {
          pass(why);
        }
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("{}: look at the repair queue failed: {}", config.holder(), e.toString());
        }
      }
    }
  }

  /** One look at the queue: claim what the plan picks and hand it to the action threads. */
  private void pass(EnumSet<Wake> why) {
    why.forEach(w -> passes.incrementAndGet(w.ordinal()));
    RepairQueue q = watched.getAndSet(null);
    if (q == null || !why.equals(EnumSet.of(Wake.WATCH))) {
      q = dm.repairs(0, Duration.ZERO);
    }
    long epoch = lease.epoch();
    List<RepairPlan.Step> steps = RepairPlan.next(q, config.holder(), epoch, busy.keySet(),
        config.parallelism() - busy.size());
    for (RepairPlan.Step step : steps) {
      if (!running || !leader) {
        return;
      }
      RepairItem item = step.item();
      long claimedUnder = epoch;
      if (step.kind() != RepairPlan.Kind.RESUME) {
        Long got = claim(item, step.kind(), why);
        if (got == null) {
          if (!leader) {
            return;
          }
          continue;
        }
        claimedUnder = got;
      }
      long id = item.repair().id();
      long e = claimedUnder;
      busy.put(id, Boolean.TRUE);
      try {
        pool.execute(() -> {
          try {
            runner.run(item, e, started::incrementAndGet);
          } catch (RuntimeException ex) {
            LOG.warn("{}: repair {} of {} failed unexpectedly", config.holder(), id, item.machine(), ex);
          } finally {
            busy.remove(id);
            wake(Wake.WATCH);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException stopping) {
        busy.remove(id);
        return;
      }
    }
  }

  /** Claims {@code item}'s repair; the lease epoch of the claim, or null if refused or unknown. */
  private Long claim(RepairItem item, RepairPlan.Kind kind, EnumSet<Wake> why) {
    String what = item.repair().action().label() + " of " + item.machine() + " (repair "
        + item.repair().id() + ")";
    CommandResult res;
    try {
      res = dm.send(new ClaimRepair(item.machine(), item.repair().id(), config.holder(),
          (kind == RepairPlan.Kind.RECLAIM ? "claimed again" : "claimed") + " on " + why));
    } catch (DmClientException e) {
      // Unknown outcome: if it was claimed, the next look resumes it (Claimed by us, our epoch).
      LOG.warn("{}: claim not confirmed: {}", what, e.getMessage());
      return null;
    }
    if (res.accepted()) {
      long epoch = res.events().stream().filter(ev -> ev instanceof RepairUpdated)
          .map(ev -> ((RepairUpdated) ev).repair()).filter(r -> r.id() == item.repair().id())
          .mapToLong(r -> r.epoch()).findFirst().orElse(lease.epoch());
      LOG.info("{}: {} under lease epoch {}", what, kind == RepairPlan.Kind.RECLAIM
          ? "claimed again" : "claimed", epoch);
      return epoch;
    }
    if (res.code() == Decision.Rejection.LEASE_HELD) {
      LOG.info("{}: not the lease holder any more: {}", config.holder(), res.reason());
      leader = false;
    } else {
      LOG.info("{}: not claimed ({}): {}", what, res.code(), res.reason());
    }
    return null;
  }

  /**
   * Schedules a Quartz trigger at the opening of every window of every health policy; a failure
   * keeps the triggers as they were (and never keeps the lease from being renewed).
   */
  private void refreshWindows() {
    Set<String> crons = new TreeSet<>();
    try {
      for (HealthPolicy p : dm.policies().values()) {
        p.windows().forEach(w -> crons.add(w.cron()));
      }
      schedules.windows(crons);
    } catch (SchedulerException | RuntimeException e) {
      if (running) {
        LOG.warn("{}: cannot refresh the maintenance windows {}: {}", config.holder(), crons, e.toString());
      }
    }
  }

  /** The blocking watch: while leading, every change of the fleet wakes the worker at once. */
  private void watch() {
    long index = 0;
    while (running) {
      try {
        if (!leader) {
          index = 0;
          Thread.sleep(200);
          continue;
        }
        RepairQueue q = dm.repairs(index, WATCH_WAIT);
        if (q.index() != index) {
          watched.set(q);
          wake(Wake.WATCH);
        }
        index = q.index();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.debug("{}: watch failed: {}", config.holder(), e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Stops: no new repairs; running commands get {@code shutdownGrace} to end and be reported,
   * then are cut off and reported failed (their effect unknown); the lease is given up.
   */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    leader = false;
    schedules.close();
    worker.interrupt();
    join(worker);
    pool.shutdown();
    try {
      if (!pool.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        shell.abort();
        pool.awaitTermination(config.sshConnectTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lease.release();
    shell.close();
    dm.close();
    LOG.info("repair service {} stopped", config.holder());
  }

  /**
   * Dies as a killed process would, for tests: every session and thread is cut off, nothing is
   * reported and the lease is not given up (it expires).
   */
  void crash() {
    crashed = true;
    running = false;
    leader = false;
    schedules.close();
    worker.interrupt();
    shell.abort();
    pool.shutdownNow();
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
