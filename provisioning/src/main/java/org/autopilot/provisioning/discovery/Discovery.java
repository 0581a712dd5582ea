package org.autopilot.provisioning.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.PlaceMachine;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportHostKeyChange;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.ReportWatchdogs.MachineReport;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.provisioning.scan.Endpoint;
import org.autopilot.provisioning.scan.Scanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One discovery sweep: reads the DM's machines, scans every configured endpoint, identifies what
 * answers ({@link Identifier}), decides with {@link DiscoveryPlan} and reports to the DM:
 * {@code RegisterMachine} for new machines, {@code PlaceMachine} for machines in New the rules
 * place, and — for a host key that is not the pinned one — a {@value #WATCHDOG} watchdog
 * Warning on the machine concerned (visible in {@code machines list} and the audit trail;
 * Warning never fails a machine, so it is left alone). The Warning goes back to OK once the
 * machine answers with its pinned key again.
 */
public final class Discovery {
  /** The watchdog under which discovery reports host key trouble on a machine. */
  public static final String WATCHDOG = "discovery";
  private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);

  private final DmClient dm;
  private final Scanner scanner;
  private final Identifier identifier;
  private final String holder;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  /** Counts of one sweep. */
  public record Report(int tried, int open, int registered, int placed, int known, int mismatches,
      int conflicts, int unidentified) {}

  /** A discovery reporting to {@code dm} as {@code holder}. */
  public Discovery(DmClient dm, Scanner scanner, Identifier identifier, String holder) {
    this.dm = dm;
    this.scanner = scanner;
    this.identifier = identifier;
    this.holder = holder;
  }

  /** One sweep over {@code endpoints}; {@code rules} places machines. Stops early on {@code stop}. */
  public Report sweep(List<Endpoint> endpoints, Function<Observation, Optional<Placement>> rules,
      BooleanSupplier stop) throws InterruptedException {
    List<Machine> machines = dm.allMachines(Map.of());
    Map<MachineId, Machine> byId = new HashMap<>();
    machines.forEach(m -> byId.put(m.id(), m));
    DiscoveryPlan plan = new DiscoveryPlan(machines);
    Scanner.Sweep<Observation> seen = scanner.scan(endpoints, identifier::identify, stop);
    int[] n = new int[DiscoveryPlan.Kind.values().length];
    List<MachineReport> reports = new ArrayList<>();
    for (Observation o : seen.found()) {
      if (stop.getAsBoolean()) {
        break;
      }
      DiscoveryPlan.Verdict v = plan.decide(o, rules);
      n[v.kind().ordinal()]++;
      act(o, v, byId, reports);
    }
    if (!reports.isEmpty()) {
      send(new ReportWatchdogs(reports, "discovery by " + holder), "host key verdicts");
    }
    return new Report(seen.tried(), seen.open(), n[DiscoveryPlan.Kind.REGISTER.ordinal()],
        n[DiscoveryPlan.Kind.PLACE.ordinal()], n[DiscoveryPlan.Kind.KNOWN.ordinal()],
        n[DiscoveryPlan.Kind.KEY_MISMATCH.ordinal()], n[DiscoveryPlan.Kind.KEY_CONFLICT.ordinal()],
        n[DiscoveryPlan.Kind.UNIDENTIFIED.ordinal()]);
  }

  private void act(Observation o, DiscoveryPlan.Verdict v, Map<MachineId, Machine> byId,
      List<MachineReport> reports) {
    switch (v.kind()) {
      case REGISTER -> register(o, v);
      case PLACE -> {
        Machine m = byId.get(v.machine());
        Placement p = v.placement();
        CommandResult r = send(new PlaceMachine(m.id(), m.version(), p.machineType(), p.scaleUnit(),
            p.rack(), v.text()), "place " + m.id());
        if (r != null && r.accepted()) {
          LOG.info("{}: {}", m.id(), v.text());
        }
        clearWarning(byId.get(v.machine()), reports);
      }
      case KNOWN -> clearWarning(byId.get(v.machine()), reports);
      case KEY_MISMATCH -> {
        once(v.text(), () -> LOG.warn("{}", v.text()));
        Machine m = byId.get(v.machine());
        if (warn(m, v.text(), reports)) {
          // news: the DM opens an incident and stops automation on the machine
          send(new ReportHostKeyChange(m.id(), o.hostKey(), holder + " scanning "
              + o.endpoint().address()), "report the changed host key of " + m.id());
        }
      }
      case KEY_CONFLICT -> {
        once(v.text(), () -> LOG.warn("{}", v.text()));
        Machine owner = byId.values().stream()
            .filter(m -> o.hostKey().equals(m.hostKeyFingerprint())).findFirst().orElse(null);
        if (owner != null) {
          warn(owner, "host key " + o.hostKey() + " also presented at " + o.endpoint().address()
              + " by a machine answering " + v.machine() + "; not registered", reports);
        }
      }
      default -> once(v.text(), () -> LOG.info("{}", v.text()));
    }
  }

  private void register(Observation o, DiscoveryPlan.Verdict v) {
    Placement p = v.placement();
    RegisterMachine cmd = new RegisterMachine(v.machine(), o.endpoint().address(), o.hostKey(),
        p == null ? null : p.machineType(), p == null ? null : p.scaleUnit(),
        p == null ? null : p.rack(), o.facts(), v.text());
    CommandResult r = send(cmd, "register " + v.machine());
    if (r != null && !r.accepted() && r.code() == Decision.Rejection.NOT_FOUND && p != null) {
      LOG.warn("{}: the rules place it as {} but the DM refuses: {}; registered unplaced",
          v.machine(), DiscoveryPlan.describe(p), r.reason());
      r = send(new RegisterMachine(v.machine(), o.endpoint().address(), o.hostKey(), null, null, null,
          o.facts(), v.text() + " (placement refused: " + r.reason() + ")"), "register " + v.machine());
    }
    if (r != null && r.accepted()) {
      LOG.info("{}: registered as New: {}", v.machine(), v.text());
    } else if (r != null) {
      LOG.info("{}: not registered ({}): {}", v.machine(), r.code(), r.reason());
    }
  }

  /** A Warning on {@code m}, unless the DM has it already. */
  /** A discovery Warning on {@code m} unless it has that one already; whether it is news. */
  private static boolean warn(Machine m, String text, List<MachineReport> reports) {
    String t = text.length() > WatchdogState.MAX_TEXT ? text.substring(0, WatchdogState.MAX_TEXT) : text;
    WatchdogState w = m.watchdogs().get(WATCHDOG);
    if (w == null || w.status() != Health.WARNING || !w.text().equals(t)) {
      reports.add(new MachineReport(m.id(), List.of(new Verdict(WATCHDOG, Health.WARNING, t, 1))));
      return true;
    }
    return false;
  }

  /** OK again on {@code m} if discovery warned about it before. */
  private static void clearWarning(Machine m, List<MachineReport> reports) {
    WatchdogState w = m == null ? null : m.watchdogs().get(WATCHDOG);
    if (w != null && w.status() != Health.OK) {
      reports.add(new MachineReport(m.id(), List.of(new Verdict(WATCHDOG, Health.OK,
          "host key verified by discovery", 1))));
    }
  }

  private CommandResult send(org.autopilot.devicemanager.command.DmCommand c, String what) {
    try {
      return dm.send(c);
    } catch (DmClientException e) {
      LOG.warn("{}: not confirmed by the DM: {}", what, e.getMessage());
      return null;
    }
  }

  private void once(String text, Runnable log) {
    if (logged.size() > 10_000) {
      logged.clear();
    }
    if (logged.add(text)) {
      log.run();
    }
  }
}
