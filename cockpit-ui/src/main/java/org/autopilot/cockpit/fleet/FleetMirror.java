package org.autopilot.cockpit.fleet;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.HealthPolicySet;
import org.autopilot.devicemanager.event.IngestRecorded;
import org.autopilot.devicemanager.event.ManifestRegistered;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.RepairDecision;
import org.autopilot.devicemanager.model.Rollout;
import org.pcollections.PSortedMap;
import org.pcollections.PVector;
import org.pcollections.TreePMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an in-memory copy of the fleet up to date from the DM, so pages never wait for it: a
 * blocking watch on the fleet revision, then the audit events since the last look (which say
 * which machines changed: only those are read again), the small tables (rollouts, budgets,
 * incidents, repairs, leases) and the decision log. A full re-read happens at start, when too
 * much changed at once, when events were missed, and every {@code fullEvery} as a safety net.
 * One thread does all of it; readers get immutable {@link FleetView}s.
 */
public final class FleetMirror implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FleetMirror.class);
  /** Events read per request. */
  private static final int PAGE = 5000;

  /**
   * How the mirror behaves.
   *
   * @param watchWait how long one blocking watch waits
   * @param minInterval least time between two updates: bursts of changes are coalesced
   * @param fullEvery how often everything is read again regardless
   * @param keepEvents audit events kept for the audit page
   * @param keepDecisions decision-log entries kept
   * @param maxTouched more changed machines than this in one update: read them all at once
   */
  public record Settings(Duration watchWait, Duration minInterval, Duration fullEvery,
      int keepEvents, int keepDecisions, int maxTouched) {
    /** The defaults. */
    public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(30),
        Duration.ofMillis(250), Duration.ofMinutes(5), 5000, 5000, 300);
  }

  private final FleetSource source;
  private final Settings settings;
  private final InstantSource clock;
  private final List<Consumer<FleetView>> listeners = new CopyOnWriteArrayList<>();
  private volatile FleetView view;
  private final Object published = new Object();
  private volatile boolean running;
  private Thread thread;
  // State of the updater thread only.
  private long lastEvent;
  private long lastDecision;
  private Instant lastFull = Instant.EPOCH;
  private Instant lastTables = Instant.EPOCH;
  private Instant dmTime;

  /** A mirror of {@code source}; null means no DM is configured (the view says so). */
  public FleetMirror(FleetSource source, Settings settings, InstantSource clock) {
    this.source = source;
    this.settings = settings;
    this.clock = clock;
    this.view = FleetView.empty(source != null, source == null
        ? "no Device Manager configured (autopilot.dm.urls)" : "loading the fleet from the DM…");
  }

  /** The newest copy. */
  public FleetView view() {
    return view;
  }

  /** Calls {@code listener} with every new copy (on the mirror's thread; keep it short). */
  public void onUpdate(Consumer<FleetView> listener) {
    listeners.add(listener);
  }

  /** Starts the updater thread (nothing happens without a source). */
  public synchronized FleetMirror start() {
    if (source == null || running) {
      return this;
    }
    running = true;
    thread = new Thread(this::run, "fleet-mirror");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  private void run() {
    long backoff = 250;
    while (running) {
      try {
        long index = source.watch(view.revision(), view.loadedAt() == null ? Duration.ZERO
            : settings.watchWait());
        if (index != view.revision() || view.loadedAt() == null || fullDue() || tablesDue()) {
          update(index);
        }
        backoff = 250;
        Thread.sleep(settings.minInterval().toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        String why = "Device Manager unreachable since " + clock.instant() + ": " + e.getMessage();
        if (view.problem() == null || !view.problem().startsWith("Device Manager unreachable")) {
          LOG.warn("{}", why);
          publish(view.withProblem(why));
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(5000, backoff * 2);
      }
    }
  }

  private boolean fullDue() {
    return clock.instant().isAfter(lastFull.plus(settings.fullEvery()));
  }

  private boolean tablesDue() {
    return clock.instant().isAfter(lastTables.plus(Duration.ofSeconds(5)));
  }

  /**
   * Brings the copy up to date with the DM at (at least) revision {@code index}: one update as
   * the thread does it. Public for tests, which call it instead of starting the thread.
   */
  public synchronized FleetView update(long index) {
    FleetView old = view;
    boolean full = old.loadedAt() == null || fullDue();
    Set<MachineId> touched = new HashSet<>();
    boolean manifests = full;
    boolean policies = full;
    // The audit trail since the last look: what changed, and the audit page's rows.
    PVector<AuditEntry> events = old.events();
    long after = lastEvent;
    FleetQueries.EventPage page = source.events(after, PAGE);
    if (after == 0 || page.total() > settings.keepEvents() * 2L || page.items().isEmpty() && page.index() < after) {
      full = true;
      after = Math.max(0, page.index() - settings.keepEvents());
      page = source.events(after, PAGE);
    } else if (!page.items().isEmpty() && page.items().get(0).revision() > after + 1) {
      full = true; // events we never saw were dropped by the DM's retention
    }
    while (true) {
      for (DmEvent e : page.items()) {
        events = events.plus(AuditEntry.of(e));
        MachineId m = FleetQueries.subject(e);
        if (m != null) {
          touched.add(m);
        }
        manifests |= e instanceof ManifestRegistered || e instanceof IngestRecorded;
        policies |= e instanceof HealthPolicySet;
        lastEvent = e.revision();
        dmTime = e.at();
      }
      if (page.next() == null) {
        break;
      }
      page = source.events(lastEvent, PAGE);
    }
    if (events.size() > settings.keepEvents()) {
      events = events.subList(events.size() - settings.keepEvents(), events.size());
    }
    PSortedMap<MachineId, Machine> machines = old.machines();
    if (full || touched.size() > settings.maxTouched()) {
      TreeMap<MachineId, Machine> all = new TreeMap<>();
      for (Machine m : source.allMachines()) {
        all.put(m.id(), m);
      }
      machines = TreePMap.from(all);
      lastFull = clock.instant();
    } else {
      for (MachineId id : touched) {
        var m = source.machine(id);
        machines = m.isPresent() ? machines.plus(id, m.get()) : machines.minus(id);
      }
    }
    // The decision log only grows: read it whole once, then only what is new.
    PVector<RepairDecision> decisions = old.decisions();
    FleetQueries.DecisionPage dp = source.decisions(lastDecision, PAGE);
    while (true) {
      for (RepairDecision d : dp.items()) {
        decisions = decisions.plus(d);
        lastDecision = d.revision();
      }
      if (decisions.size() > settings.keepDecisions()) {
        decisions = decisions.subList(decisions.size() - settings.keepDecisions(), decisions.size());
      }
      if (dp.next() == null) {
        break;
      }
      dp = source.decisions(lastDecision, PAGE);
    }
    Map<String, Rollout> rollouts = new TreeMap<>();
    for (Rollout r : source.rollouts()) {
      rollouts.put(r.machineType(), r);
    }
    var budgets = source.budgets();
    List<Incident> incidents = new ArrayList<>(source.incidents());
    incidents.sort(java.util.Comparator.comparingLong(Incident::id).reversed());
    var repairs = source.repairs().items();
    var leases = source.leases();
    Map<String, ManifestSummary> manifestMap = old.manifests();
    var ingests = old.ingests();
    if (manifests) {
      manifestMap = new LinkedHashMap<>();
      for (ManifestSummary s : source.manifests()) {
        manifestMap.put(s.ref(), s);
      }
      ingests = source.ingests();
    }
    var policyMap = policies ? source.policies() : old.policies();
    lastTables = clock.instant();
    long revision = Math.max(index, lastEvent);
    FleetView next = new FleetView(true, revision, dmTime, clock.instant(), null, machines,
        FleetSummary.of(machines.values(), budgets, incidents, dmTime), rollouts, budgets,
        incidents, repairs, decisions, events, manifestMap, leases, policyMap, ingests);
    publish(next);
    return next;
  }

  /**
   * Waits until the copy reflects DM revision {@code revision} (say, of a command just sent), at
   * most {@code max}; whether it does.
   */
  public boolean awaitRevision(long revision, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    synchronized (published) {
      while (view.revision() < revision) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        published.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  private void publish(FleetView next) {
    synchronized (published) {
      view = next;
      published.notifyAll();
    }
    for (Consumer<FleetView> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("a fleet listener failed", e);
      }
    }
  }

  /** Stops the updater thread. */
  @Override
  public synchronized void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
