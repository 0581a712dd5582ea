package org.autopilot.watchdogs.service;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.Durations;
import org.autopilot.watchdogs.service.ReportParser.IntakeReport;

/**
 * The leader's picture of the fleet's watchdogs for one term: per machine what its watchdogs
 * say now and what the DM was last told, a queue of machines with something new to tell, and
 * the heartbeat and probe verdicts the service itself gives. Nothing here does I/O; time comes
 * from the injected clock. Thread-safe: one monitor per machine.
 */
final class FleetVerdicts {
  /** The service's verdict on missing reports. */
  static final String HEARTBEAT = "heartbeat";
  /** The outside probe's verdict. */
  static final String SSH = "ssh";
  /** Text of a watchdog a machine stopped reporting. */
  static final String NO_LONGER_REPORTED = "no longer reported";
  /** How long a machine the DM does not know is answered "not registered" before asking again. */
  static final Duration FORGET_FOR = Duration.ofSeconds(60);
  private static final int MAX_NAMES = 64;

  private final InstantSource clock;
  private final ConcurrentHashMap<MachineId, MachineVerdicts> machines = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<MachineId, Instant> unregistered = new ConcurrentHashMap<>();
  private final Queue<MachineVerdicts> queue = new ConcurrentLinkedQueue<>();
  private volatile Timeouts timeouts = new Timeouts(Map.of(), HealthPolicy.DEFAULT.heartbeatTimeoutDuration());

  FleetVerdicts(InstantSource clock) {
    this.clock = clock;
  }

  /**
   * What became of a report.
   *
   * @param kind accepted, or why not
   * @param detail the reason when refused
   * @param changes verdicts of this machine the DM has not heard yet
   * @param lookup true when the machine is new here and the DM must be asked whether it exists
   */
  record Outcome(Kind kind, String detail, int changes, boolean lookup) {
    /** Accepted or why not. */
    enum Kind { ACCEPTED, NOT_REGISTERED, REFUSED }
  }

  /**
   * Verdicts of one machine on their way to the DM.
   *
   * @param machine the machine
   * @param verdicts what the DM has not heard yet
   */
  record Telling(MachineId machine, List<Verdict> verdicts) {}

  /**
   * A machine for the outside probe.
   *
   * @param machine the machine
   * @param address its management address {@code host:port}
   * @param hostKeyFingerprint the host key pinned in the DM
   */
  record ProbeTarget(MachineId machine, String address, String hostKeyFingerprint) {}

  /** Uses these health policies for heartbeat timeouts (the DM's {@code Fleet.policyFor} rule). */
  void policies(Map<String, HealthPolicy> policies) {
    Map<String, Duration> byType = new HashMap<>();
    policies.forEach((scope, p) -> byType.put(scope, p.heartbeatTimeoutDuration()));
    Duration dflt = byType.getOrDefault("default", HealthPolicy.DEFAULT.heartbeatTimeoutDuration());
    timeouts = new Timeouts(byType, dflt);
  }

  /** Takes in a machine as the DM has it; a machine new here starts its grace period now. */
  void learn(Machine dm) {
    unregistered.remove(dm.id());
    MachineVerdicts m = machines.computeIfAbsent(dm.id(), id -> new MachineVerdicts(id, clock.millis()));
    synchronized (m) {
      m.learn(dm);
      queueIfUntold(m);
    }
  }

  /** Takes in one report; never blocks on the DM. */
  Outcome report(IntakeReport r) {
    long now = clock.millis();
    MachineVerdicts m = machines.get(r.machine());
    if (m == null) {
      Instant until = unregistered.get(r.machine());
      if (until != null && now < until.toEpochMilli()) {
        return notRegistered(r.machine());
      }
      unregistered.remove(r.machine());
      m = machines.computeIfAbsent(r.machine(), id -> new MachineVerdicts(id, now));
    }
    synchronized (m) {
      if (machines.get(r.machine()) != m) {
        return notRegistered(r.machine());
      }
      String tooMany = tooMany(m, r.watchdogs());
      if (tooMany != null) {
        return new Outcome(Outcome.Kind.REFUSED, tooMany, 0, false);
      }
      for (Verdict v : r.watchdogs()) {
        m.take(v);
      }
      for (Map.Entry<String, Verdict> e : m.current.entrySet()) {
        String name = e.getKey();
        Verdict v = e.getValue();
        if (!ReportParser.RESERVED.contains(name) && !named(r.watchdogs(), name)
            && !(v.status() == Health.UNKNOWN && v.text().equals(NO_LONGER_REPORTED))) {
          e.setValue(new Verdict(name, Health.UNKNOWN, NO_LONGER_REPORTED, 1));
        }
      }
      Verdict hb = m.current.get(HEARTBEAT);
      if (hb == null || hb.status() != Health.OK) {
        // a first report too: a new machine's heartbeat is OK from then on (burn-in needs it)
        m.current.put(HEARTBEAT, new Verdict(HEARTBEAT, Health.OK,
            hb == null ? "reporting" : "reporting again", 1));
      }
      m.lastReport = now;
      m.reported = true;
      boolean lookup = !m.known && !m.lookupPending;
      m.lookupPending |= lookup;
      return new Outcome(Outcome.Kind.ACCEPTED, null, m.known ? queueIfUntold(m) : 0, lookup);
    }
  }

  /** The DM's answer about a machine new here: it exists (with its record) or not. */
  void lookedUp(MachineId id, Optional<Machine> dm) {
    MachineVerdicts m = machines.get(id);
    if (m == null) {
      return;
    }
    if (dm.isEmpty()) {
      forget(id);
      return;
    }
    synchronized (m) {
      m.lookupPending = false;
      m.learn(dm.get());
      queueIfUntold(m);
    }
  }

  /** The DM could not be asked; the machine's next report asks again. */
  void lookupFailed(MachineId id) {
    MachineVerdicts m = machines.get(id);
    if (m != null) {
      synchronized (m) {
        m.lookupPending = false;
      }
    }
  }

  /** Drops a machine the DM does not know; its reports are answered "not registered" for a while. */
  void forget(MachineId id) {
    unregistered.put(id, clock.instant().plus(FORGET_FOR));
    MachineVerdicts m = machines.remove(id);
    if (m != null) {
      synchronized (m) {
        m.queued = false;
      }
    }
  }

  /** Gives every machine that has not reported for its type's timeout a heartbeat Error. */
  void sweepHeartbeats() {
    long now = clock.millis();
    Timeouts t = timeouts;
    for (MachineVerdicts m : machines.values()) {
      synchronized (m) {
        if (!m.watchedForHeartbeat()) {
          continue;
        }
        Duration timeout = t.of(m.type);
        long silent = now - m.lastReport;
        if (silent <= timeout.toMillis()) {
          continue;
        }
        int count = (int) Math.min(MachineVerdicts.MAX_COUNT, silent / timeout.toMillis());
        Verdict hb = m.current.get(HEARTBEAT);
        if (hb != null && hb.status() == Health.ERROR && hb.consecutive() == count) {
          continue;
        }
        m.current.put(HEARTBEAT, new Verdict(HEARTBEAT, Health.ERROR, "no report for "
            + silent / 1000 + "s (timeout " + Durations.format(timeout) + ")", count));
        queueIfUntold(m);
      }
    }
  }

  /** The machines the outside probe should look at now. */
  List<ProbeTarget> probeTargets() {
    List<ProbeTarget> out = new ArrayList<>();
    for (MachineVerdicts m : machines.values()) {
      synchronized (m) {
        if (m.probed()) {
          out.add(new ProbeTarget(m.id, m.address, m.hostKeyFingerprint));
        }
      }
    }
    return out;
  }

  /** The probe's verdict; an Error repeated with the same text counts up. */
  void probed(MachineId id, Health status, String text) {
    MachineVerdicts m = machines.get(id);
    if (m == null) {
      return;
    }
    synchronized (m) {
      Verdict old = m.current.get(SSH);
      int count = old != null && old.status() == status && old.text().equals(text)
          ? Math.min(MachineVerdicts.MAX_COUNT, old.consecutive() + 1) : 1;
      m.current.put(SSH, new Verdict(SSH, status, text, count));
      queueIfUntold(m);
    }
  }

  /**
   * Takes machines with something untold off the queue: at most {@code maxMachines}, and about
   * {@code maxBytes} of JSON (one machine may go over when it is the first).
   */
  List<Telling> drain(int maxMachines, int maxBytes) {
    List<Telling> out = new ArrayList<>();
    int bytes = 0;
    MachineVerdicts m;
    while (out.size() < maxMachines && (m = queue.poll()) != null) {
      synchronized (m) {
        List<Verdict> untold = m.known && machines.get(m.id) == m ? m.untold() : List.of();
        int size = size(m.id, untold);
        if (!out.isEmpty() && bytes + size > maxBytes) {
          queue.add(m);
          break;
        }
        m.queued = false;
        if (!untold.isEmpty()) {
          out.add(new Telling(m.id, untold));
          bytes += size;
        }
      }
    }
    return out;
  }

  /** The DM accepted these verdicts (or they are given up): they are what it has now. */
  void told(Telling t) {
    MachineVerdicts m = machines.get(t.machine());
    if (m == null) {
      return;
    }
    synchronized (m) {
      for (Verdict v : t.verdicts()) {
        m.told.put(v.watchdog(), v);
      }
      queueIfUntold(m);
    }
  }

  /** Sending failed; the machine goes back into the queue. */
  void retry(Telling t) {
    MachineVerdicts m = machines.get(t.machine());
    if (m != null) {
      synchronized (m) {
        queueIfUntold(m);
      }
    }
  }

  /** Machines known here (reported or listed). */
  int machines() {
    return machines.size();
  }

  /** Machines waiting to be told (O(n): for status pages). */
  int queued() {
    return queue.size();
  }

  /** What the DM was last told about {@code watchdog} of {@code id}, if anything (for tests). */
  Optional<Verdict> told(MachineId id, String watchdog) {
    MachineVerdicts m = machines.get(id);
    if (m == null) {
      return Optional.empty();
    }
    synchronized (m) {
      return Optional.ofNullable(m.told.get(watchdog));
    }
  }

  /** Whether the DM is known to have this machine. */
  boolean knows(MachineId id) {
    MachineVerdicts m = machines.get(id);
    if (m == null) {
      return false;
    }
    synchronized (m) {
      return m.known;
    }
  }

  /** What a machine's watchdog says now, if anything (for tests). */
  Optional<Verdict> current(MachineId id, String watchdog) {
    MachineVerdicts m = machines.get(id);
    if (m == null) {
      return Optional.empty();
    }
    synchronized (m) {
      return Optional.ofNullable(m.current.get(watchdog));
    }
  }

  private Outcome notRegistered(MachineId id) {
    return new Outcome(Outcome.Kind.NOT_REGISTERED, "machine " + id + " is not registered in the DM",
        0, false);
  }

  /** Null, or why the report would give the machine more watchdogs than the DM keeps. */
  private static String tooMany(MachineVerdicts m, List<Verdict> report) {
    if (m.current.size() + m.told.size() + report.size() + 2 <= MAX_NAMES) {
      return null;
    }
    java.util.Set<String> names = new java.util.HashSet<>(m.current.keySet());
    names.addAll(m.told.keySet());
    report.forEach(v -> names.add(v.watchdog()));
    names.add(HEARTBEAT);
    names.add(SSH);
    return names.size() <= MAX_NAMES ? null : "machine " + m.id + " would have " + names.size()
        + " watchdogs (with heartbeat and ssh); the DM keeps at most " + MAX_NAMES
        + " per machine and never forgets a name";
  }

  private static boolean named(List<Verdict> report, String name) {
    for (Verdict v : report) {
      if (v.watchdog().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Queues {@code m} if the DM has not heard all of it; how many verdicts it has not. */
  private int queueIfUntold(MachineVerdicts m) {
    int n = 0;
    for (Verdict v : m.current.values()) {
      if (MachineVerdicts.worthTelling(m.told.get(v.watchdog()), v)) {
        n++;
      }
    }
    if (n > 0 && m.known && !m.queued) {
      m.queued = true;
      queue.add(m);
    }
    return n;
  }

  /** A rough JSON size of one machine's entry in a command. */
  private static int size(MachineId id, List<Verdict> vs) {
    int n = 40 + id.value().length();
    for (Verdict v : vs) {
      n += 70 + v.watchdog().length() + v.text().length() * 2;
    }
    return n;
  }

  /** Heartbeat timeout per machine type, with the {@code default} policy's as fallback. */
  private record Timeouts(Map<String, Duration> byType, Duration dflt) {
    Duration of(String type) {
      Duration d = type == null ? null : byType.get(type);
      return d == null ? dflt : d;
    }
  }
}
