package org.autopilot.appmanager;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogRunner;
import org.autopilot.watchdogs.builtin.AgentStartWatchdog;
import org.autopilot.watchdogs.builtin.DiskWatchdog;
import org.autopilot.watchdogs.builtin.HeartbeatWatchdog;
import org.autopilot.watchdogs.builtin.MemoryWatchdog;

/**
 * The agent's watchdogs: a {@link WatchdogRunner} on its own thread with the built-ins
 * ({@code disk}, {@code memory}), the agent's own checks ({@code manifest}, {@code apps},
 * {@code agent}, {@code heartbeat}) and the scripts of the watchdog directory, whose rounds go to the watchdog
 * service when one is configured and to the DM directly otherwise. A hung agent runs no round.
 */
final class AgentWatchdogs implements AutoCloseable {
  private static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(5);

  private final WatchdogRunner runner;
  private final ScheduledExecutorService thread;

  AgentWatchdogs(AgentConfig config, DmClient dm, LocalManifests local, Supplier<ManifestRef> running,
      Supplier<AppsWatchdog.View> apps, InstantSource clock, AgentFaults faults,
      WatchdogRunner.Sink also, org.autopilot.tls.TrustBundle trust) throws IOException {
    WatchdogConfig w = config.watchdogs();
    if (w.dir().startsWith(config.home())) {
      Files.createDirectories(w.dir());
    }
    WatchdogRunner.Sink reporter = w.report().isEmpty()
        ? new DirectWatchdogReporter(MachineId.of(config.machineId()), dm, faults,
            DirectWatchdogReporter.KEEP_ALIVE)
        : new ServiceWatchdogReporter(config.machineId(), config.dmToken(), w.report(), faults,
            SERVICE_TIMEOUT, trust);
    // every round also goes to {@code also} (the collection shipper takes its perfdata)
    WatchdogRunner.Sink sink = also == null ? reporter : round -> {
      reporter.accept(round);
      also.accept(round);
    };
    Map<String, String> env = Map.of("AUTOPILOT_MACHINE", config.machineId(),
        "AUTOPILOT_HOME", config.home().toString());
    this.runner = new WatchdogRunner(new WatchdogRunner.Settings(w.dir(), w.interval(),
            w.scriptTimeout(), env),
        List.of(new DiskWatchdog(w.diskPath(), w.disk()),
            new MemoryWatchdog(MemoryWatchdog.PROC_MEMINFO, w.memory())), clock, sink)
        .register(new ManifestWatchdog(local, running, w.manifestRehash(), clock))
        .register(new AppsWatchdog(apps))
        .register(new AgentStartWatchdog(clock.instant()));
    if (w.report().isEmpty()) {
      // reporting straight to the DM, nobody else tells it the agent is alive; through the
      // watchdog service, the round's arrival is the heartbeat and the service reports it
      runner.register(new HeartbeatWatchdog());
    }
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "app-manager-" + config.machineId() + "-watchdogs");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the rounds; none runs while {@code faults.hung()} or after {@link #close()}. */
  void start(BooleanSupplier active) {
    runner.start(thread, active);
  }

  /** Adds a check to every round from the next one on. */
  void register(Watchdog w) {
    runner.register(w);
  }

  /** The latest round, or null. */
  WatchdogRound last() {
    return runner.last();
  }

  @Override
  public void close() {
    runner.close();
    thread.shutdownNow();
  }
}
