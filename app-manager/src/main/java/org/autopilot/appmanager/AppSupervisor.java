package org.autopilot.appmanager;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.model.AppStatus;
import org.autopilot.manifests.AppSpec;
import org.autopilot.manifests.ManifestRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one app of the running manifest up: starts {@code sh -c START} in the app's directory
 * (output appended to {@code logs/APP.log}, a pid file in {@code run/APP.pid}), restarts it
 * when it exits with exponential backoff, calls it a crash loop after too many restarts in a
 * short window, and stops it with SIGTERM then SIGKILL. A process left running by an earlier
 * agent (same pid, same start time in the pid file) is adopted, not restarted.
 */
final class AppSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(AppSupervisor.class);
  private final AppSpec spec;
  private final ManifestRef manifest;
  private final Path dir;
  private final Path pidFile;
  private final Path log;
  private final Map<String, String> env;
  private final AgentConfig config;
  private final InstantSource clock;
  private final ScheduledExecutorService timers;
  private final Runnable changed;
  private final AgentEvents events;
  private final Deque<Instant> recentExits = new ArrayDeque<>();
  private ProcessHandle process;
  private Instant startedAt;
  private ScheduledFuture<?> pending;
  private AppStatus.State state = AppStatus.State.STOPPED;
  private int restarts;
  private int consecutiveCrashes;
  private String detail = "";
  private boolean stopping;

  AppSupervisor(AppSpec spec, ManifestRef manifest, Path dir, Path home, Map<String, String> env,
      AgentConfig config, InstantSource clock, ScheduledExecutorService timers, Runnable changed,
      AgentEvents events) {
    this.spec = spec;
    this.manifest = manifest;
    this.dir = dir;
    this.pidFile = home.resolve("run").resolve(spec.name() + ".pid");
    this.log = home.resolve("logs").resolve(spec.name() + ".log");
    this.env = env;
    this.config = config;
    this.clock = clock;
    this.timers = timers;
    this.changed = changed;
    this.events = events;
  }

  /** Adopts the process of an earlier agent if it still runs, else starts the app. */
  synchronized void startOrAdopt() {
    Optional<ProcessHandle> alive = adoptable();
    if (alive.isPresent()) {
      ProcessHandle h = alive.get();
      process = h;
      startedAt = process.info().startInstant().orElse(clock.instant());
      state = AppStatus.State.RUNNING;
      detail = "adopted pid " + process.pid();
      LOG.info("{}: adopted {} (pid {})", manifest, spec.name(), process.pid());
      events.event(spec.name(), "INFO", "adopted running " + spec.name() + " of " + manifest + " (pid "
          + process.pid() + ")");
      h.onExit().thenRun(() -> exited(h, null));
      changed.run();
      return;
    }
    start();
  }

  /** The current status, for the report. */
  synchronized AppStatus status() {
    return new AppStatus(spec.name(), state, restarts, detail);
  }

  /** How long the current process has run, 0 when none runs. */
  synchronized long uptimeMillis() {
    return process == null || startedAt == null || !process.isAlive() ? 0
        : Math.max(0, clock.millis() - startedAt.toEpochMilli());
  }

  /** The running process, if any (for tests and simulated faults). */
  synchronized Optional<ProcessHandle> process() {
    return Optional.ofNullable(process).filter(ProcessHandle::isAlive);
  }

  /** Stops the app: SIGTERM to its process group, SIGKILL after the stop timeout. Blocks. */
  void stop() {
    ProcessHandle p;
    synchronized (this) {
      stopping = true;
      if (pending != null) {
        pending.cancel(false);
      }
      p = process;
      state = AppStatus.State.STOPPED;
      detail = "stopped";
    }
    if (p != null) {
      events.event(spec.name(), "INFO", "stopping " + spec.name() + " of " + manifest + " (pid " + p.pid() + ")");
      List<ProcessHandle> group = ProcessGroup.signal(p.pid(), false);
      long deadline = System.nanoTime() + spec.stopGrace().toNanos();
      for (ProcessHandle h : group) {
        try {
          h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          LOG.warn("{}: {} did not stop within {}; killing it", manifest, spec.name(),
              spec.stopTimeout());
          break;
        }
      }
      ProcessGroup.signal(p.pid(), true);
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      LOG.warn("cannot delete {}", pidFile, e);
    }
    changed.run();
  }

  private synchronized void start() {
    if (stopping) {
      return;
    }
    try {
      Files.createDirectories(pidFile.getParent());
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(ProcessGroup.command(spec.start())).directory(dir.toFile())
          .redirectInput(new File("/dev/null"))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectErrorStream(true);
      pb.environment().putAll(env);
      pb.environment().putAll(spec.env());
      Process p = pb.start();
      process = p.toHandle();
      startedAt = clock.instant();
      state = AppStatus.State.STARTING;
      detail = "pid " + p.pid();
      writePidFile(p.toHandle());
      p.onExit().thenAccept(done -> exited(done.toHandle(), done.exitValue()));
      pending = timers.schedule(this::markUp, config.stableAfter().toMillis(), TimeUnit.MILLISECONDS);
      events.event(spec.name(), "INFO", "started " + spec.name() + " of " + manifest + " (pid " + p.pid() + ")");
    } catch (IOException e) {
      LOG.warn("{}: cannot start {}: {}", manifest, spec.name(), e.toString());
      events.event(spec.name(), "ERROR", "cannot start " + spec.name() + " of " + manifest + ": " + e.getMessage());
      exited(null, null);
      detail = "cannot start: " + truncate(e.getMessage());
    }
    changed.run();
  }

  private synchronized void markUp() {
    if (!stopping && process != null && process.isAlive() && state == AppStatus.State.STARTING) {
      state = AppStatus.State.RUNNING;
      consecutiveCrashes = 0;
      detail = "pid " + process.pid();
      changed.run();
    }
  }

  private synchronized void exited(ProcessHandle which, Integer code) {
    if (stopping || (which != null && process != null && which.pid() != process.pid())) {
      return;
    }
    if (which != null) {
      ProcessGroup.signal(which.pid(), true);
    }
    Instant now = clock.instant();
    Duration ran = startedAt == null ? Duration.ZERO : Duration.between(startedAt, now);
    if (ran.compareTo(config.stableAfter()) >= 0) {
      consecutiveCrashes = 0;
    }
    consecutiveCrashes++;
    restarts++;
    recentExits.addLast(now);
    while (!recentExits.isEmpty()
        && recentExits.peekFirst().isBefore(now.minus(config.crashLoopWindow()))) {
      recentExits.removeFirst();
    }
    long factor = 1L << Math.min(consecutiveCrashes - 1, 20);
    Duration delay = config.restartBackoff().multipliedBy(factor);
    if (delay.compareTo(config.maxRestartBackoff()) > 0) {
      delay = config.maxRestartBackoff();
    }
    boolean loop = recentExits.size() >= config.crashLoopRestarts();
    state = loop ? AppStatus.State.CRASH_LOOP : AppStatus.State.BACKOFF;
    detail = (code == null ? "exited" : "exit " + code) + " after " + ran.toMillis() + " ms; "
        + (loop ? recentExits.size() + " exits in " + config.crashLoopWindow().toSeconds() + " s; " : "")
        + "restart in " + delay.toMillis() + " ms";
    LOG.info("{}: {} {}", manifest, spec.name(), detail);
    events.event(spec.name(), loop ? "ERROR" : "WARN", spec.name() + " " + detail);
    process = null;
    pending = timers.schedule(this::start, delay.toMillis(), TimeUnit.MILLISECONDS);
    changed.run();
  }

  private Optional<ProcessHandle> adoptable() {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      String[] parts = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split("\\s+");
      if (parts.length != 3 || !parts[2].equals(manifest.toString())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(parts[0]);
      long started = Long.parseLong(parts[1]);
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h ->
          h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == started);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private void writePidFile(ProcessHandle h) throws IOException {
    long started = h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
    Files.writeString(tmp, h.pid() + " " + started + " " + manifest + "\n");
    Files.move(tmp, pidFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
  }
}
