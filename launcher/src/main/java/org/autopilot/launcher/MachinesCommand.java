package org.autopilot.launcher;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ActivateManifest;
import org.autopilot.devicemanager.command.AssignManifest;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.PinHostKey;
import org.autopilot.devicemanager.command.PlaceMachine;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportHealth;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.ManifestRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot machines ...}: list, show and change machines. */
@Command(name = "machines", mixinStandardHelpOptions = true, description = "Lists, shows and changes machines.",
    subcommands = {MachinesCommand.ListMachines.class, MachinesCommand.Show.class, MachinesCommand.PinKey.class,
        MachinesCommand.Register.class, MachinesCommand.Move.class, MachinesCommand.Place.class,
        MachinesCommand.HealthReport.class, MachinesCommand.Assign.class,
        MachinesCommand.Activate.class})
final class MachinesCommand {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists machines, optionally filtered; --watch redraws on every change.")
  static final class ListMachines implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Option(names = "--state", description = "New, Provisioning, BurnIn, Healthy, Probation, Failure, Replace, Decommissioned") String state;
    @Option(names = "--health", description = "OK, Warning, Error, Unknown") String health;
    @Option(names = "--type", description = "machine type") String type;
    @Option(names = "--unit", description = "scale unit") String unit;
    @Option(names = "--json", description = "print JSON") boolean json;
    @Option(names = "--watch", description = "redraw whenever the fleet changes (Ctrl-C to stop)") boolean watch;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      Map<String, String> filter = new LinkedHashMap<>();
      put(filter, "state", state == null ? null : LifecycleState.parse(state).label());
      put(filter, "health", health == null ? null : Health.parse(health).name());
      put(filter, "machineType", type);
      put(filter, "scaleUnit", unit);
      do {
        long seen = client.watch(0, Duration.ZERO);
        List<Machine> ms = client.allMachines(filter);
        if (watch) {
          System.out.print("\033[H\033[2J");
        }
        print(ms);
        if (watch) {
          client.watch(seen, Duration.ofMinutes(1));
        }
      } while (watch);
      return 0;
    }

    private void print(List<Machine> ms) throws Exception {
      if (json) {
        System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(ms));
        return;
      }
      System.out.printf("%-20s %-14s %-8s %-10s %-8s %-8s %-12s %-16s %-18s %8s%n", "ID", "STATE",
          "HEALTH", "TYPE", "UNIT", "RACK", "RUNNING", "APPS", "REPAIR", "VERSION");
      for (Machine m : ms) {
        var sw = m.software();
        String running = sw.running() == null ? "-" : sw.running().toString();
        if (sw.active() != null && !sw.active().equals(sw.running())) {
          running += "->" + sw.active().version();
        }
        String apps = sw.apps().isEmpty() ? "-" : sw.apps().stream()
            .map(a -> a.name() + ":" + a.state().name().toLowerCase()
                + (a.restarts() > 0 ? "(" + a.restarts() + ")" : ""))
            .collect(java.util.stream.Collectors.joining(","));
        var r = m.repair();
        String repair = r == null || !r.active() ? "-" : r.action().label() + "/"
            + r.status().label().toLowerCase() + (r.held() != null ? "(held)" : "");
        System.out.printf("%-20s %-14s %-8s %-10s %-8s %-8s %-12s %-16s %-18s %8d%n", m.id(),
            m.state().label(), m.health().label(), dash(m.machineType()), dash(m.scaleUnit()),
            dash(m.rack()), running, apps, repair, m.version());
      }
      System.out.println(ms.size() + " machine(s)");
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one machine as JSON.")
  static final class Show implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "ID") String id;

    @Override
    public Integer call() throws Exception {
      var m = dm.client().machine(MachineId.of(id));
      if (m.isEmpty()) {
        System.err.println("machine " + id + " does not exist");
        return 1;
      }
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m.get()));
      return 0;
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true, description = "Registers a machine by hand (provisioning normally does this).")
  static final class Register implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--address", required = true, description = "host:port of its SSH endpoint") String address;
    @Option(names = "--host-key", required = true, description = "SSH host key fingerprint") String hostKey;
    @Option(names = "--type") String type;
    @Option(names = "--unit") String unit;
    @Option(names = "--rack") String rack;
    @Option(names = "--cause", defaultValue = "registered by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(new RegisterMachine(MachineId.of(id), address, hostKey, type,
          unit, rack, null, cause)));
    }
  }

  @Command(name = "move", mixinStandardHelpOptions = true, description = "Moves a machine to another lifecycle state.")
  static final class Move implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "STATE") String state;
    @Option(names = "--expect", defaultValue = "0", description = "reject unless the machine is at this version") long expect;
    @Option(names = "--cause", required = true, description = "why (goes into the audit trail)") String cause;

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(new ChangeState(MachineId.of(id), expect, LifecycleState.parse(state), cause)));
    }
  }

  @Command(name = "place", mixinStandardHelpOptions = true, description = "Sets a machine's type, scale unit and rack.")
  static final class Place implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--type") String type;
    @Option(names = "--unit") String unit;
    @Option(names = "--rack") String rack;
    @Option(names = "--expect", defaultValue = "0") long expect;
    @Option(names = "--cause", defaultValue = "placed by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(new PlaceMachine(MachineId.of(id), expect, type, unit, rack, cause)));
    }
  }

  @Command(name = "pin-key", mixinStandardHelpOptions = true,
      description = "Pins another SSH host key on a machine in New, or on one whose changed key opened an "
          + "incident, which this resolves (operators and admins only): after a legitimate reinstall or "
          + "new hardware, once you have checked the key reported (the incident and the 'discovery' "
          + "Warning name the key seen).")
  static final class PinKey implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "FINGERPRINT", description = "e.g. SHA256:oUhzDsWX...") String key;
    @Option(names = "--expect", defaultValue = "0", description = "reject unless the machine is at this version") long expect;
    @Option(names = "--cause", required = true, description = "why, and how the key was checked (goes into the audit trail)") String cause;

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(new PinHostKey(MachineId.of(id), expect, key, cause)));
    }
  }

  @Command(name = "health", mixinStandardHelpOptions = true, description = "Reports a health verdict for a machine.")
  static final class HealthReport implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "HEALTH", description = "OK, Warning, Error, Unknown") String health;
    @Option(names = "--cause", defaultValue = "reported by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(new ReportHealth(MachineId.of(id), Health.parse(health), cause)));
    }
  }

  /** assign and activate: one manifest version, many machines. */
  abstract static class ManifestToMachines implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(index = "0", paramLabel = "MANIFEST", description = "name@version") String ref;
    @Parameters(index = "1..*", paramLabel = "ID", arity = "1..*") List<String> ids;
    @Option(names = "--cause", defaultValue = "by hand", description = "why (goes into the audit trail)") String cause;

    abstract DmCommand command(List<MachineId> machines, ManifestRef manifest);

    @Override
    public Integer call() throws Exception {
      return report(dm.client().send(command(ids.stream().map(MachineId::of).toList(),
          ManifestRef.parse(ref))));
    }
  }

  @Command(name = "assign", mixinStandardHelpOptions = true,
      description = "Asks machines to hold (pre-load) a manifest version.")
  static final class Assign extends ManifestToMachines {
    @Override
    DmCommand command(List<MachineId> machines, ManifestRef manifest) {
      return new AssignManifest(machines, manifest, cause);
    }
  }

  @Command(name = "activate", mixinStandardHelpOptions = true,
      description = "Makes an assigned manifest version the one whose apps run on machines.")
  static final class Activate extends ManifestToMachines {
    @Override
    DmCommand command(List<MachineId> machines, ManifestRef manifest) {
      return new ActivateManifest(machines, manifest, cause);
    }
  }

  /** Prints a command's answer; exit status 0 if accepted, 2 if rejected. */
  static int report(CommandResult r) {
    if (r.accepted()) {
      System.out.println("accepted at revision " + r.revision()
          + (r.events().isEmpty() ? " (no change)" : ""));
      return 0;
    }
    System.err.println("rejected (" + r.code() + "): " + r.reason());
    return 2;
  }

  /** Sends several commands and reports each. */
  static int reportAll(DmClient client, List<DmCommand> commands) {
    int rc = 0;
    for (CommandResult r : client.sendAll(commands)) {
      rc = Math.max(rc, report(r));
    }
    return rc;
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
