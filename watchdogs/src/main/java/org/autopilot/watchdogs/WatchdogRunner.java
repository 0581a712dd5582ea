package org.autopilot.watchdogs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.model.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a machine's watchdogs in rounds: the fixed ones (built-ins and checks registered by the
 * app-manager) and every executable, non-hidden regular file directly in the watchdog directory
 * (sorted by name; the file name, {@linkplain WatchdogName#sanitize sanitized}, is the watchdog's
 * name). All checks of a round run at once, each script under the script timeout. The runner
 * counts how many rounds in a row each watchdog gave the same status (a new status starts at 1)
 * and hands every round, complete, to a {@link Sink}.
 *
 * <p>Nothing a check does escapes as an exception: a throwing check, one that does not answer
 * within the timeout (it is not started again while it hangs) or a script breaking the protocol
 * is Unknown with the reason. At most {@link #MAX_WATCHDOGS} verdicts per round: scripts beyond
 * that are skipped and named by the {@value #DIR_WATCHDOG} verdict, as is an unreadable directory.
 */
public final class WatchdogRunner implements AutoCloseable {
  /** The most verdicts in one round (what the DM accepts per machine). */
  public static final int MAX_WATCHDOGS = ReportWatchdogs.MAX_WATCHDOGS;
  /** The verdict about the watchdog directory itself, present only when something is wrong. */
  public static final String DIR_WATCHDOG = "watchdog-dir";
  private static final Logger LOG = LoggerFactory.getLogger(WatchdogRunner.class);
  /** How much longer than the script timeout a round waits for a script (ScriptRunner kills it, then reads). */
  private static final Duration GRACE = Duration.ofSeconds(10);

  /**
   * How the runner runs.
   *
   * @param dir the watchdog directory; need not exist (then only the fixed checks run)
   * @param interval the pause between the end of one round and the start of the next
   * @param scriptTimeout how long one check may take before it counts as Unknown
   * @param env variables added to every script's environment
   */
  public record Settings(Path dir, Duration interval, Duration scriptTimeout, Map<String, String> env) {
    /** Validates. */
    public Settings {
      if (dir == null || interval == null || scriptTimeout == null) {
        throw new IllegalArgumentException("dir, interval and scriptTimeout are required");
      }
      if (interval.isNegative() || interval.isZero() || scriptTimeout.isNegative() || scriptTimeout.isZero()) {
        throw new IllegalArgumentException("interval and scriptTimeout must be positive");
      }
      env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** Scripts in {@code dir}, a round every 5 s, 10 s per script, no extra environment. */
    public static Settings defaults(Path dir) {
      return new Settings(dir, Duration.ofSeconds(5), Duration.ofSeconds(10), Map.of());
    }
  }

  /** Where finished rounds go (a reporter). Called on the runner's thread, one round at a time. */
  @FunctionalInterface
  public interface Sink {
    /** Takes one complete round. */
    void accept(WatchdogRound round);
  }

  private record Count(Health status, int rounds) {}

  private final Settings settings;
  private final InstantSource clock;
  private final Sink sink;
  private final List<Watchdog> fixed = new CopyOnWriteArrayList<>();
  private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "watchdog-check");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Future<WatchdogResult>> hanging = new HashMap<>();
  private final Map<String, Count> counts = new HashMap<>();
  private volatile WatchdogRound last;
  private volatile ScheduledFuture<?> schedule;
  private volatile boolean closed;

  /** A runner of {@code builtins} (more with {@link #register}) and the directory's scripts. */
  public WatchdogRunner(Settings settings, List<Watchdog> builtins, InstantSource clock, Sink sink) {
    this.settings = settings;
    this.clock = clock;
    this.sink = sink;
    builtins.forEach(this::register);
  }

  /** Adds a fixed check, run every round from the next one on; its name must be new and valid. */
  public WatchdogRunner register(Watchdog w) {
    if (!WatchdogName.valid(w.name()) || w.name().equals(DIR_WATCHDOG)) {
      throw new IllegalArgumentException("watchdog name '" + w.name() + "' must match "
          + WatchdogName.PATTERN.pattern() + " and not be " + DIR_WATCHDOG);
    }
    synchronized (fixed) {
      if (fixed.stream().anyMatch(f -> f.name().equals(w.name()))) {
        throw new IllegalArgumentException("a watchdog named " + w.name() + " is registered already");
      }
      if (fixed.size() >= MAX_WATCHDOGS - 1) {
        throw new IllegalArgumentException("at most " + (MAX_WATCHDOGS - 1) + " fixed watchdogs");
      }
      fixed.add(w);
    }
    return this;
  }

  /**
   * Runs a round every {@code interval} on {@code executor} (the first at once), skipping the
   * rounds for which {@code active} is false. The executor's thread is busy for a whole round.
   */
  public WatchdogRunner start(ScheduledExecutorService executor, BooleanSupplier active) {
    synchronized (fixed) {
      if (schedule != null) {
        throw new IllegalStateException("started already");
      }
      schedule = executor.scheduleWithFixedDelay(scheduled(active), 0,
          settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private Runnable scheduled(BooleanSupplier active) {
    return () -> {
      try {
        if (!closed && active.getAsBoolean()) {
          runRound();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.warn("watchdog round failed", e);
        }
      }
    };
  }

  /** The latest round, or null before the first. */
  public WatchdogRound last() {
    return last;
  }

  /**
   * Runs one round now: every check, counted, handed to the sink, and returned. Rounds run one
   * at a time; {@link #close()} does not wait for one.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized WatchdogRound runRound() throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("watchdog runner closed");
    }
    Instant at = clock.instant();
    Map<String, WatchdogResult> notes = new LinkedHashMap<>();
    List<Watchdog> fixedNow = List.copyOf(fixed);
    List<Watchdog> all = new ArrayList<>(fixedNow);
    all.addAll(scripts(fixedNow, notes));
    Map<String, Future<WatchdogResult>> started = new LinkedHashMap<>();
    for (Watchdog w : all) {
      Future<WatchdogResult> before = hanging.get(w.name());
      if (before != null && !before.isDone()) {
        started.put(w.name(), before);
        continue;
      }
      hanging.remove(w.name());
      try {
        started.put(w.name(), checks.submit(w::check));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        throw new IllegalStateException("watchdog runner closed", e);
      }
    }
    long now = System.nanoTime();
    Map<String, WatchdogResult> results = new LinkedHashMap<>();
    for (Map.Entry<String, Future<WatchdogResult>> e : started.entrySet()) {
      boolean script = fixedNow.stream().noneMatch(f -> f.name().equals(e.getKey()));
      Duration limit = script ? settings.scriptTimeout().plus(GRACE) : settings.scriptTimeout();
      results.put(e.getKey(), await(e.getKey(), e.getValue(), now + limit.toNanos(), limit));
    }
    results.putAll(notes);
    List<WatchdogVerdict> verdicts = new ArrayList<>();
    for (Map.Entry<String, WatchdogResult> e : results.entrySet()) {
      verdicts.add(verdict(e.getKey(), e.getValue()));
    }
    counts.keySet().retainAll(results.keySet());
    hanging.keySet().retainAll(results.keySet());
    WatchdogRound round = new WatchdogRound(at, verdicts);
    last = round;
    try {
      sink.accept(round);
    } catch (RuntimeException e) {
      LOG.warn("watchdog sink failed", e);
    }
    return round;
  }

  /**
   * Stops the schedule and kills checks still running (scripts with their children). Returns at
   * once: it never waits for a round (whose sink may be waiting for the caller).
   */
  @Override
  public void close() {
    closed = true;
    ScheduledFuture<?> s = schedule;
    if (s != null) {
      s.cancel(false);
    }
    checks.shutdownNow();
  }

  private WatchdogResult await(String name, Future<WatchdogResult> f, long deadline, Duration limit)
      throws InterruptedException {
    if (hanging.containsKey(name)) {
      return unknown("still running since an earlier round (hanging)");
    }
    try {
      WatchdogResult r = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return r != null ? r : unknown("check returned nothing");
    } catch (TimeoutException e) {
      hanging.put(name, f);
      return unknown("no answer within " + limit.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      LOG.debug("watchdog {} failed", name, c);
      return unknown("check failed: " + c.getClass().getSimpleName() + ": " + c.getMessage());
    } catch (java.util.concurrent.CancellationException e) {
      return unknown("check cancelled");
    }
  }

  private WatchdogVerdict verdict(String name, WatchdogResult r) {
    Count before = counts.get(name);
    Count now = before != null && before.status() == r.status()
        ? new Count(r.status(), before.rounds() == Integer.MAX_VALUE ? before.rounds() : before.rounds() + 1)
        : new Count(r.status(), 1);
    counts.put(name, now);
    if (!r.problems().isEmpty()) {
      LOG.debug("watchdog {}: {}", name, r.problems());
    }
    String text = r.text().isBlank() ? r.status().label() : r.text();
    return new WatchdogVerdict(name, r.status(), text, now.rounds(), r.perfData());
  }

  /** This round's scripts; what is wrong with the directory goes to {@code notes}. */
  private List<Watchdog> scripts(List<Watchdog> fixedNow, Map<String, WatchdogResult> notes) {
    Path dir = settings.dir();
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p) && Files.isExecutable(p)) {
          files.add(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      notes.put(DIR_WATCHDOG, unknown("cannot list " + dir + ": " + e.getMessage()));
      return List.of();
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    Set<String> taken = new HashSet<>(WatchdogName.RESERVED);
    fixedNow.forEach(f -> taken.add(f.name()));
    taken.add(DIR_WATCHDOG);
    int room = MAX_WATCHDOGS - 1 - fixedNow.size();
    List<Watchdog> out = new ArrayList<>();
    for (Path p : files.subList(0, Math.min(room, files.size()))) {
      String name = WatchdogName.unique(WatchdogName.sanitize(p.getFileName().toString()), taken);
      taken.add(name);
      out.add(new ScriptWatchdog(name, p, dir, settings.env(), settings.scriptTimeout()));
    }
    if (files.size() > room) {
      notes.put(DIR_WATCHDOG, unknown((files.size() - room) + " scripts not run (from "
          + files.get(room).getFileName() + " on): a machine reports at most " + MAX_WATCHDOGS
          + " watchdogs"));
    }
    return out;
  }

  static WatchdogResult unknown(String why) {
    return new WatchdogResult(Health.UNKNOWN, why, "", List.of(), List.of(why));
  }
}
