package org.autopilot.appmanager;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ReportSoftware;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.MachineSoftware;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.filesync.BlobFetcher;
import org.autopilot.filesync.BlobServer;
import org.autopilot.filesync.SwarmConfig;
import org.autopilot.filesync.SwarmFetcher;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.tls.TrustBundle;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogRound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app-manager daemon of one machine. A watcher thread follows the machine in the DM with
 * blocking queries; a reconciler thread makes the disk and the processes match what the DM
 * wants (level-based: every pass compares the whole desired state with the whole actual state)
 * and reports changes back with {@link ReportSoftware}. {@link #close()} stops the daemon but
 * leaves the apps running, so a restarted daemon adopts them instead of restarting them.
 */
public final class AppManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AppManager.class);
  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final AgentConfig config;
  private final MachineId id;
  private final InstantSource clock;
  private final AgentFaults faults;
  private final DmClient dm;
  private final LocalManifests local;
  private final BlobServer peer;
  private final SwarmFetcher swarm;
  private final ScheduledExecutorService timers;
  private final AgentWatchdogs watchdogs;
  private final CounterShipper shipper;
  private final AgentEvents events;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicReference<MachineSoftware> desired = new AtomicReference<>();
  private final Map<ManifestRef, Failure> failures = new HashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean running = true;
  private volatile List<AppSupervisor> apps = List.of();
  private volatile ManifestRef current;
  private volatile ManifestRef switchingTo;
  private volatile String lastError = "";
  private ReportSoftware lastReport;
  private int kicks;

  private record Failure(Instant retryAt, int count) {}

  /**
   * A daemon for {@code config} on a real machine (OS counters from {@code /proc}); nothing runs
   * until {@link #start()}.
   */
  public AppManager(AgentConfig config, InstantSource clock, Random random, AgentFaults faults)
      throws IOException {
    this(config, clock, random, faults, new ProcCounters(Path.of("/proc"), config.watchdogs().diskPath()));
  }

  /**
   * A daemon for {@code config} whose machine's counters come from {@code os} (a simulated
   * machine supplies its own); nothing runs until {@link #start()}.
   */
  public AppManager(AgentConfig config, InstantSource clock, Random random, AgentFaults faults,
      OsCounters os) throws IOException {
    this.config = config;
    this.id = MachineId.of(config.machineId());
    this.clock = clock;
    this.faults = faults;
    TrustBundle trust = TrustBundle.loadIfGiven(config.caFile(), "caFile"); // a bad file changes nothing
    Files.createDirectories(config.home());
    ContentStore store = new ContentStore(config.home().resolve("store"));
    BlobFetcher plain = new BlobFetcher(store, config.downlinkBytesPerSecond(), trust);
    if (config.peerPort() >= 0 && !config.sources().isEmpty()) {
      this.peer = new BlobServer(store, 0, 8).start(config.peerPort());
      SwarmConfig d = SwarmConfig.defaults().withDownlink(config.downlinkBytesPerSecond());
      this.swarm = new SwarmFetcher(store, peer, new SwarmConfig(d.downlinkBytesPerSecond(),
          d.parallel(), d.perPeer(), d.perSeed(), d.window(), d.announceInterval(), d.chunkTimeout(),
          d.slowChunk(), d.maxBackoff(), Duration.ofSeconds(20), d.seedFor(),
          config.sources().get(0)), random, InstantSource.system(), trust);
    } else {
      this.peer = null;
      this.swarm = null;
    }
    LocalManifests.BlobSource source = swarm == null ? plain::fetch : (hash, seeds) -> {
      try {
        swarm.fetch(hash, seeds);
      } catch (IOException e) {
        LOG.info("{}: swarm fetch of {} failed ({}); fetching from the servers directly", id,
            hash, e.getMessage());
        plain.fetch(hash, seeds);
      }
    };
    this.local = new LocalManifests(config.home(), store, source, config.sources(), random, faults);
    this.dm = new DmClient(config.dmUrls(), config.dmToken(), trust);
    this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "app-manager-" + id + "-timers");
      t.setDaemon(true);
      return t;
    });
    this.shipper = config.collection() == null ? null : new CounterShipper(config.machineId(),
        config.dmToken(), config.collection(), os, this::appFigures, config.home().resolve("logs"), clock, faults,
        trust);
    this.events = shipper == null ? AgentEvents.NONE : shipper;
    this.watchdogs = new AgentWatchdogs(config, dm, local, () -> current, this::appsView, clock, faults,
        shipper, trust);
  }

  /** Adopts or restarts the apps of the manifest that ran before, then follows the DM. */
  public AppManager start() throws IOException {
    Optional<ManifestRef> before = local.current();
    if (before.isPresent() && local.held().contains(before.get())) {
      current = before.get();
      apps = supervisors(before.get());
      apps.forEach(AppSupervisor::startOrAdopt);
    } else if (before.isPresent()) {
      local.setCurrent(null);
    }
    events.event("", "INFO", "agent started" + (current == null ? "" : "; running " + current));
    if (shipper != null) {
      shipper.start(() -> running && !faults.hung());
    }
    threads.add(daemon("watch", this::watchLoop));
    threads.add(daemon("reconcile", this::reconcileLoop));
    watchdogs.start(() -> running && !faults.hung());
    return this;
  }

  /** Stops the daemon (once; later calls do nothing); the apps keep running, as when it restarts. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    running = false;
    wake.release();
    watchdogs.close();
    if (shipper != null) {
      shipper.close();
    }
    threads.forEach(Thread::interrupt);
    dm.close();
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    timers.shutdownNow();
    if (swarm != null) {
      swarm.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  /** What peer fetching did so far (null when it is off). */
  public SwarmFetcher.Stats swarmStats() {
    return swarm == null ? null : swarm.stats();
  }

  /**
   * What a power loss does to a machine's apps: kills the process group of every pid in
   * {@code home/run/*.pid}. For simulated machines; a real machine needs no help with that.
   */
  public static void killApps(Path home) throws IOException {
    Path run = home.resolve("run");
    if (!Files.isDirectory(run)) {
      return;
    }
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(run, "*.pid")) {
      for (Path p : pids) {
        try {
          String[] f = Files.readString(p).trim().split("\\s+");
          long pid = Long.parseLong(f[0]);
          long started = f.length > 1 ? Long.parseLong(f[1]) : -1;
          // A live leader must be the one we started (pids are reused); with the leader gone,
          // the kernel keeps its pid out of use while its group lives, so members are ours.
          boolean reused = ProcessHandle.of(pid).map(h -> h.info().startInstant()
              .map(java.time.Instant::toEpochMilli).orElse(-1L) != started).orElse(false);
          if (!reused) {
            ProcessGroup.signal(pid, true);
          }
        } catch (NumberFormatException | IOException e) {
          LOG.debug("unreadable pid file {}", p);
        }
      }
    }
  }

  /**
   * Adds a watchdog to every round from the next one on (besides {@code disk}, {@code memory},
   * {@code manifest}, {@code apps}, {@code heartbeat} and the scripts); its name must be new.
   */
  public void registerWatchdog(Watchdog w) {
    watchdogs.register(w);
  }

  /** The latest round of watchdog verdicts, or null before the first. */
  public WatchdogRound lastWatchdogRound() {
    return watchdogs.last();
  }

  /** What shipping to the collection service did so far, or null when it is not configured. */
  public CollectionStats collectionStats() {
    return shipper == null ? null : shipper.stats();
  }

  private List<CounterShipper.AppFigures> appFigures() {
    return apps.stream().map(a -> {
      AppStatus s = a.status();
      return new CounterShipper.AppFigures(s.name(), s.state() == AppStatus.State.RUNNING
          || s.state() == AppStatus.State.STARTING, s.restarts(), a.uptimeMillis());
    }).toList();
  }

  /** The manifest whose apps run, if any. */
  public Optional<ManifestRef> running() {
    return Optional.ofNullable(current);
  }

  /** Each app's status, by name. */
  public Map<String, AppStatus> apps() {
    Map<String, AppStatus> out = new LinkedHashMap<>();
    apps.forEach(a -> out.put(a.status().name(), a.status()));
    return out;
  }

  /** The first process of each running app (each is its app's process group leader). */
  public List<ProcessHandle> appProcesses() {
    return apps.stream().flatMap(a -> a.process().stream()).toList();
  }

  /** The agent's directory. */
  public Path home() {
    return config.home();
  }

  /** The last error met (fetch, DM, start), or empty. */
  public String lastError() {
    return lastError;
  }

  private void watchLoop() {
    long index = 0;
    Duration backoff = RETRY;
    while (running) {
      try {
        if (faults.hung()) {
          pause(Duration.ofMillis(500));
          continue;
        }
        faults.network();
        Optional<Machine> m = dm.watchMachine(id, index, config.watchWait());
        if (m.isEmpty()) {
          lastError = "machine " + id + " is not registered in the DM";
          pause(RETRY);
          continue;
        }
        index = m.get().version();
        desired.set(m.get().software());
        wake.release();
        backoff = RETRY;
      } catch (Exception e) {
        if (!running) {
          return;
        }
        lastError = "DM watch: " + e.getMessage();
        LOG.debug("{}: {}", id, lastError);
        pause(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
      }
    }
  }

  private void reconcileLoop() {
    while (running) {
      try {
        wake.tryAcquire(2, TimeUnit.SECONDS);
        wake.drainPermits();
        if (running && !faults.hung()) {
          reconcile();
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        lastError = "reconcile: " + e;
        LOG.warn("{}: reconcile failed", id, e);
      }
    }
  }

  /** One level-based pass: pre-load, switch, clean up, report. */
  private void reconcile() throws IOException, InterruptedException {
    MachineSoftware want = desired.get();
    if (want == null) {
      return;
    }
    if (want.kicks() != kicks) {
      kicks = want.kicks();
      failures.clear();
    }
    Set<ManifestRef> held = local.held();
    for (ManifestRef ref : want.assigned()) {
      if (!held.contains(ref) && due(ref)) {
        preload(ref);
      }
    }
    held = local.held();
    ManifestRef active = want.active();
    if (active != null && !active.equals(current) && held.contains(active)) {
      switchTo(active);
    }
    for (ManifestRef ref : held) {
      if (!want.assigned().contains(ref) && !ref.equals(current)) {
        LOG.info("{}: dropping {} (no longer assigned)", id, ref);
        local.remove(ref);
      }
    }
    report();
  }

  private void preload(ManifestRef ref) throws InterruptedException {
    try {
      faults.network();
      ManifestVersion v = dm.manifest(ref).orElseThrow(() ->
          new IOException("manifest " + ref + " is not registered"));
      LOG.info("{}: pre-loading {} ({} files, {} bytes)", id, ref, v.manifest().files().size(),
          v.manifest().totalBytes());
      local.install(v);
      failures.remove(ref);
    } catch (IOException | RuntimeException e) {
      Failure f = failures.getOrDefault(ref, new Failure(clock.instant(), 0));
      Duration wait = RETRY.multipliedBy(1L << Math.min(f.count(), 4));
      failures.put(ref, new Failure(clock.instant().plus(wait), f.count() + 1));
      lastError = "pre-load " + ref + ": " + e.getMessage();
      LOG.warn("{}: {} (retry in {} s)", id, lastError, wait.toSeconds());
      events.event("", "WARN", lastError + " (retry in " + wait.toSeconds() + " s)");
      timers.schedule(() -> wake.release(), wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private boolean due(ManifestRef ref) {
    Failure f = failures.get(ref);
    return f == null || !clock.instant().isBefore(f.retryAt());
  }

  /** Stop old, switch, start new. */
  private void switchTo(ManifestRef next) throws IOException {
    LOG.info("{}: switching {} -> {}", id, current, next);
    events.event("", "INFO", "switching " + (current == null ? "(nothing)" : current) + " -> " + next);
    switchingTo = next;
    try {
      List<AppSupervisor> old = apps;
      old.forEach(AppSupervisor::stop);
      local.setCurrent(next);
      current = next;
      apps = supervisors(next);
      apps.forEach(AppSupervisor::startOrAdopt);
    } finally {
      switchingTo = null;
    }
  }

  private AppsWatchdog.View appsView() {
    return new AppsWatchdog.View(current, switchingTo,
        apps.stream().map(AppSupervisor::status).toList());
  }

  private List<AppSupervisor> supervisors(ManifestRef ref) throws IOException {
    Manifest m = local.manifest(ref);
    List<AppSupervisor> out = new ArrayList<>();
    for (AppSpec app : m.apps()) {
      Map<String, String> env = Map.of(
          "AUTOPILOT_MACHINE", config.machineId(),
          "AUTOPILOT_MANIFEST", ref.toString(),
          "AUTOPILOT_APP", app.name(),
          "AUTOPILOT_HOME", config.home().toString());
      out.add(new AppSupervisor(app, ref, local.appDir(ref, app.directory()), config.home(), env,
          config, clock, timers, wake::release, events));
    }
    return List.copyOf(out);
  }

  private void report() {
    try {
      List<AppStatus> states = apps.stream().map(AppSupervisor::status).toList();
      ReportSoftware r = new ReportSoftware(id, List.copyOf(local.held()), current, states, "");
      if (r.equals(lastReport)) {
        return;
      }
      faults.network();
      CommandResult result = dm.send(r);
      lastReport = r;
      if (!result.accepted()) {
        lastError = "report refused: " + result.code() + " " + result.reason();
        LOG.warn("{}: {}", id, lastError);
      }
    } catch (Exception e) {
      lastError = "report: " + e.getMessage();
      LOG.debug("{}: {}", id, lastError);
    }
  }

  private void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, "app-manager-" + id + "-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
