package org.autopilot.fleetsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.AgentFaults;
import org.autopilot.appmanager.AppManager;
import org.autopilot.watchdogs.builtin.DiskWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real app-manager daemon as a simulated machine's agent: started on every boot with its
 * home on the machine's disk, stopped on every shutdown, when the machine's apps die with it
 * (as on a power loss). Injected faults reach it: a hung agent does nothing, a dead network
 * fails its calls, a slow one delays them, lost heartbeats drop its watchdog reports, crashing
 * apps are killed every second, and a disk error puts a directory where the {@code disk}
 * watchdog writes its probe file, so the probe's write really fails (for root too, where a
 * permission trick would not).
 */
public final class AppManagerAgent implements MachineAgent {
  private static final Logger LOG = LoggerFactory.getLogger(AppManagerAgent.class);
  private static final ScheduledExecutorService CHAOS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fleet-sim-app-faults");
    t.setDaemon(true);
    return t;
  });
  private final Function<SimulatedMachine, AgentConfig> configs;
  private final long seed;
  private AppManager manager;
  private ScheduledFuture<?> faultTask;

  /** An agent whose configuration {@code configs} derives from the machine it runs on. */
  public AppManagerAgent(Function<SimulatedMachine, AgentConfig> configs) {
    this(configs, 1);
  }

  /**
   * An agent whose configuration {@code configs} derives from the machine it runs on; the
   * machine's simulated OS counters ({@link SimulatedOsCounters}) follow {@code seed}.
   */
  public AppManagerAgent(Function<SimulatedMachine, AgentConfig> configs, long seed) {
    this.configs = configs;
    this.seed = seed;
  }

  /** The daemon, while the machine is on. */
  public synchronized AppManager manager() {
    return manager;
  }

  @Override
  public synchronized void start(SimulatedMachine machine) {
    AgentConfig config = configs.apply(machine);
    try {
      manager = new AppManager(config, InstantSource.system(), new Random(machine.id().hashCode()),
          faults(machine), new SimulatedOsCounters(machine.id(), seed)).start();
    } catch (IOException e) {
      LOG.error("{}: app-manager failed to start", machine.id(), e);
      return;
    }
    AppManager m = manager;
    Path probe = DiskWatchdog.probe(config.watchdogs().diskPath());
    faultTask = CHAOS.scheduleWithFixedDelay(() -> {
      if (machine.has(Fault.CRASHING_APP)) {
        m.appProcesses().forEach(ProcessHandle::destroyForcibly);
      }
      breakDisk(probe, machine.has(Fault.DISK_ERROR));
    }, 0, 1, TimeUnit.SECONDS);
  }

  /** Puts a directory where the disk probe file goes, or takes it away again. */
  static void breakDisk(Path probe, boolean broken) {
    try {
      if (broken && !Files.isDirectory(probe, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(probe);
        Files.createDirectories(probe.resolve("bad-sector"));
      } else if (!broken && Files.isDirectory(probe, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(probe.resolve("bad-sector"));
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      LOG.debug("disk fault at {} not changed yet: {}", probe, e.toString());
    }
  }

  @Override
  public synchronized void stop() {
    if (faultTask != null) {
      faultTask.cancel(false);
    }
    if (manager != null) {
      manager.close();
      try {
        AppManager.killApps(manager.home());
      } catch (IOException e) {
        LOG.warn("{}: could not kill apps", manager.home(), e);
      }
      manager = null;
    }
  }

  private static AgentFaults faults(SimulatedMachine machine) {
    return new AgentFaults() {
      @Override
      public boolean hung() {
        return machine.has(Fault.HUNG_AGENT);
      }

      @Override
      public boolean lostHeartbeat() {
        return machine.has(Fault.LOST_HEARTBEAT);
      }

      @Override
      public void network() throws IOException {
        if (machine.has(Fault.DEAD_NETWORK)) {
          throw new IOException("network unreachable (injected fault)");
        }
        if (machine.has(Fault.SLOW_NETWORK)) {
          try {
            Thread.sleep(2000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          }
        }
      }
    };
  }
}
