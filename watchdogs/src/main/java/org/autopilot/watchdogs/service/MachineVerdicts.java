package org.autopilot.watchdogs.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;

/**
 * What one machine's watchdogs say now ({@code current}) and what the DM was last told
 * ({@code told}), plus what the service knows of the machine. Guarded by its own monitor; only
 * {@link FleetVerdicts} touches it.
 */
final class MachineVerdicts {
  /** Counts beyond this confirm nothing more (a policy's confirmReports is at most 16). */
  static final int MAX_COUNT = 16;

  final MachineId id;
  /** Verdict per watchdog as last reported, probed or judged (heartbeat), counts capped. */
  final Map<String, Verdict> current = new HashMap<>(8);
  /** Verdict per watchdog as the DM has it, to our knowledge. */
  final Map<String, Verdict> told = new HashMap<>(8);
  /** Whether the DM has it (listed or looked up); unknown machines are never forwarded. */
  boolean known;
  boolean lookupPending;
  /** Whether it reported during this term: then it is watched for heartbeats in any state. */
  boolean reported;
  /** Its last report, or the start of its grace period (epoch milliseconds: no object per report). */
  long lastReport;
  String type;
  LifecycleState state;
  String address;
  String hostKeyFingerprint;
  /** In the queue of machines with something to tell. */
  boolean queued;

  MachineVerdicts(MachineId id, long lastReport) {
    this.id = id;
    this.lastReport = lastReport;
  }

  /**
   * Whether the DM must hear {@code now} when it was last told {@code told} (null: never): a
   * new status or text; in Error, also a different count (a growing streak, or a new one).
   */
  static boolean worthTelling(Verdict told, Verdict now) {
    if (now == null) {
      return false;
    }
    if (told == null) {
      return true;
    }
    if (told.status() != now.status() || !told.text().equals(now.text())) {
      return true;
    }
    return now.status() == Health.ERROR && now.consecutive() != told.consecutive();
  }

  /** The verdicts the DM has not heard yet. */
  List<Verdict> untold() {
    List<Verdict> out = null;
    for (Verdict v : current.values()) {
      if (worthTelling(told.get(v.watchdog()), v)) {
        if (out == null) {
          out = new ArrayList<>(4);
        }
        out.add(v);
      }
    }
    return out == null ? List.of() : out;
  }

  /** Takes in what the DM records about this machine: placement, state, watchdogs. */
  void learn(Machine m) {
    known = true;
    type = m.machineType();
    state = m.state();
    address = m.address();
    hostKeyFingerprint = m.hostKeyFingerprint();
    for (WatchdogState w : m.watchdogs().values()) {
      Verdict v = new Verdict(w.name(), w.status(), w.text() == null ? "" : w.text(),
          Math.min(MAX_COUNT, Math.max(1, w.consecutive())));
      told.put(w.name(), v);
      current.putIfAbsent(w.name(), v);
    }
  }

  /**
   * Whether a missing report means anything: it reported this term or is in service, and is not
   * out of service for good (Replace, Decommissioned: waiting for a human, silence expected).
   */
  boolean watchedForHeartbeat() {
    return known && state != LifecycleState.REPLACE && state != LifecycleState.DECOMMISSIONED
        && (reported || state == LifecycleState.HEALTHY || state == LifecycleState.PROBATION);
  }

  /** Whether the outside probe looks at it. */
  boolean probed() {
    return known && (state == LifecycleState.HEALTHY || state == LifecycleState.PROBATION
        || state == LifecycleState.FAILURE);
  }

  /**
   * Takes a reported verdict as the current one. An unchanged verdict that is not an Error keeps
   * the object already held (its count is not news): nothing from the request outlives it, so at
   * thousands of reports per second almost nothing reaches the old generation.
   */
  void take(Verdict v) {
    Verdict old = current.get(v.watchdog());
    if (old != null && old.status() == v.status() && v.status() != Health.ERROR
        && old.text().equals(v.text())) {
      return;
    }
    current.put(v.watchdog(), capped(v));
  }

  static Verdict capped(Verdict v) {
    return v.consecutive() <= MAX_COUNT ? v
        : new Verdict(v.watchdog(), v.status(), v.text(), MAX_COUNT);
  }
}
