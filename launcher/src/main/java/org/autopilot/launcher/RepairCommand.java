package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.api.FleetQueries.DecisionPage;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.api.FleetQueries.RepairQueue;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.MarkReplaced;
import org.autopilot.devicemanager.command.ResolveIncident;
import org.autopilot.devicemanager.command.SetHealthPolicy;
import org.autopilot.devicemanager.command.SilenceMachine;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairDecision;
import org.autopilot.manifests.Durations;
import org.autopilot.repair.PolicyFile;
import org.autopilot.repair.RepairService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code autopilot repair ...}: runs a repair service replica ({@code repair serve --config}, or
 * just {@code repair --config}) and lets operators see and steer repairs: the queue, the decision
 * log, incidents, silences, replaced hardware, health policies.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = "Runs the repair service (serve --config, see docs/repair.md) and shows and steers repairs.",
    subcommands = {RepairCommand.Serve.class, RepairCommand.Queue.class, RepairCommand.Log.class,
        RepairCommand.Incidents.class, RepairCommand.Resolve.class, RepairCommand.Replaced.class,
        RepairCommand.Silence.class, RepairCommand.Policy.class})
final class RepairCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Option(names = "--config", description = "repair.yaml: the same as 'repair serve --config FILE'")
  Path config;

  @Override
  public Integer call() throws Exception {
    if (config != null) {
      return Serve.serve(config);
    }
    spec.commandLine().usage(System.out);
    return 0;
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Runs one repair service replica until stopped; replicas elect a leader through the DM's repair lease.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "repair.yaml") Path config;

    @Override
    public Integer call() throws Exception {
      return serve(config);
    }

    static int serve(Path config) throws Exception {
      RepairService s = RepairService.start(config);
      return Foreground.runUntilStopped("repair", s, "repair service " + s.holder()
          + " running; it acts while it holds the '" + RepairService.LEASE + "' lease");
    }
  }

  @Command(name = "queue", mixinStandardHelpOptions = true,
      description = "Every repair not over yet, oldest first: action, status, holder, why, and what holds it.")
  static final class Queue implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Option(names = "--watch", description = "redraw on every change (Ctrl-C to stop)") boolean watch;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      long index = 0;
      do {
        RepairQueue q = client.repairs(index, Duration.ofSeconds(30));
        index = q.index();
        if (watch) {
          System.out.print("\033[H\033[2J");
        }
        System.out.print(render(q, Instant.now()));
        System.out.flush();
      } while (watch);
      return 0;
    }
  }

  /** The queue as a table, then the reason and hold of each repair. */
  static String render(RepairQueue q, Instant now) {
    StringBuilder out = new StringBuilder(String.format("%-8s %-14s %-10s %-10s %-9s %-8s %-18s %s%n",
        "REPAIR", "MACHINE", "STATE", "TYPE", "ACTION", "STATUS", "HOLDER (EPOCH)", "AGE"));
    for (RepairItem i : q.items()) {
      Repair r = i.repair();
      out.append(String.format("%-8d %-14s %-10s %-10s %-9s %-8s %-18s %s%n", r.id(), i.machine(),
          i.state().label(), dash(i.machineType()), r.action().label() + (r.urgent() ? "!" : ""),
          r.status().label(), r.holder() == null ? "-" : r.holder() + " (" + r.epoch() + ")",
          Durations.format(Duration.ofSeconds(Math.max(0, Duration.between(r.chosenAt(), now).toSeconds())))));
      out.append("         why: ").append(r.reason()).append('\n');
      if (r.held() != null) {
        out.append("         held: ").append(r.held()).append('\n');
      }
      if (r.outcome() != null) {
        out.append("         outcome: ").append(r.outcome()).append('\n');
      }
    }
    if (q.items().isEmpty()) {
      out.append("no repairs under way\n");
    }
    return out.toString();
  }

  @Command(name = "log", mixinStandardHelpOptions = true,
      description = "The decision log: what the health policy decided, and decided not to do, and why.")
  static final class Log implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Option(names = "--machine", paramLabel = "ID", description = "only this machine") String machine;
    @Option(names = "--last", defaultValue = "50", description = "how many of the newest entries (default 50)") int last;
    @Option(names = "--follow", description = "keep printing new entries (Ctrl-C to stop)") boolean follow;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      MachineId id = machine == null ? null : MachineId.of(machine);
      Deque<RepairDecision> tail = new ArrayDeque<>();
      long cursor = 0;
      DecisionPage page;
      do {
        page = client.decisions(id, cursor, 1000);
        for (RepairDecision d : page.items()) {
          tail.addLast(d);
          if (tail.size() > last) {
            tail.removeFirst();
          }
          cursor = d.revision();
        }
      } while (page.next() != null);
      tail.forEach(Log::print);
      long index = page.index();
      while (follow) {
        index = client.watch(Math.max(index, cursor), Duration.ofMinutes(1));
        do {
          page = client.decisions(id, cursor, 1000);
          for (RepairDecision d : page.items()) {
            print(d);
            cursor = d.revision();
          }
        } while (page.next() != null);
      }
      return 0;
    }

    private static void print(RepairDecision d) {
      System.out.printf("%8d %s %-10s %-12s %s%n", d.revision(), d.at(),
          d.machine() != null ? d.machine() : dash(d.scope()), d.kind(), d.text());
    }
  }

  @Command(name = "incidents", mixinStandardHelpOptions = true,
      description = "Correlated failures: racks or units where the DM stopped repairing and waits for a human.")
  static final class Incidents implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Override
    public Integer call() throws Exception {
      var all = dm.client().incidents();
      for (Incident i : all) {
        System.out.printf("%-8d %-16s %-9s opened %s%s%n  %s%n  machines: %s%n", i.id(), i.scope(),
            i.open() ? "OPEN" : "resolved", i.openedAt(),
            i.open() ? "" : ", resolved " + i.resolvedAt() + " by " + i.resolvedBy(), i.reason(), i.machines());
      }
      if (all.isEmpty()) {
        System.out.println("no incidents");
      }
      return 0;
    }
  }

  @Command(name = "resolve", mixinStandardHelpOptions = true,
      description = "Resolves an incident once its common cause is fixed; the repairs it held resume.")
  static final class Resolve implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "ID", description = "incident id") long id;
    @Option(names = "--cause", defaultValue = "", description = "what was fixed") String cause;

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.report(dm.client().send(new ResolveIncident(id, cause)));
    }
  }

  @Command(name = "replaced", mixinStandardHelpOptions = true,
      description = "Records that a machine in Replace got new hardware: it comes back as New, history cleared.")
  static final class Replaced implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "MACHINE") String machine;
    @Option(names = "--cause", defaultValue = "", description = "e.g. the RMA ticket") String cause;

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.report(dm.client().send(new MarkReplaced(MachineId.of(machine), cause)));
    }
  }

  @Command(name = "silence", mixinStandardHelpOptions = true,
      description = "Silences a machine: its Errors are recorded but not acted on for a while (--for 0s lifts it).")
  static final class Silence implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "MACHINE") String machine;
    @Option(names = "--for", required = true, paramLabel = "DURATION", description = "e.g. 1h, at most 30d; 0s lifts") String duration;
    @Option(names = "--cause", defaultValue = "", description = "why (recorded in the decision log)") String cause;

    @Override
    public Integer call() throws Exception {
      Duration d = Durations.parse(duration, "--for");
      return MachinesCommand.report(dm.client().send(new SilenceMachine(MachineId.of(machine), d.toMillis(), cause)));
    }
  }

  @Command(name = "policy", mixinStandardHelpOptions = true,
      description = "Shows or sets health policies (confirmation, probation, ladder, fatal rules, windows, breaker).",
      subcommands = {Policy.Show.class, Policy.Set.class, Policy.Clear.class})
  static final class Policy {
    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "Prints the policies set (YAML, every default spelled out); with TYPE, the one that applies to it.")
    static final class Show implements Callable<Integer> {
      @Mixin DmOptions dm;
      @Parameters(arity = "0..1", paramLabel = "TYPE") String type;

      @Override
      public Integer call() throws Exception {
        Map<String, HealthPolicy> all = dm.client().policies();
        if (type != null) {
          String scope = all.containsKey(type) ? type : "default";
          System.out.println("# " + type + (scope.equals(type) ? ": its own policy" : ": the default policy"));
          System.out.print(PolicyFile.write(all.getOrDefault(scope, HealthPolicy.DEFAULT)));
          return 0;
        }
        if (!all.containsKey("default")) {
          System.out.println("# default (built in)");
          System.out.print(PolicyFile.write(HealthPolicy.DEFAULT));
        }
        for (Map.Entry<String, HealthPolicy> e : new java.util.TreeMap<>(all).entrySet()) {
          System.out.println("# " + e.getKey());
          System.out.print(PolicyFile.write(e.getValue()));
        }
        return 0;
      }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = "Sets a policy from a YAML file (keys as 'policy show' prints them; absent keys take their defaults).")
    static final class Set implements Callable<Integer> {
      @Mixin DmOptions dm;
      @Parameters(paramLabel = "FILE") Path file;
      @Option(names = "--type", defaultValue = "default", description = "machine type, or default (the default)") String type;
      @Option(names = "--cause", defaultValue = "set by hand") String cause;

      @Override
      public Integer call() throws Exception {
        HealthPolicy p = PolicyFile.read(file);
        return MachinesCommand.report(dm.client().send(new SetHealthPolicy(type, p, cause)));
      }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
        description = "Removes a type's own policy (it follows the default again), or the default (back to built in).")
    static final class Clear implements Callable<Integer> {
      @Mixin DmOptions dm;
      @Parameters(paramLabel = "TYPE") String type;
      @Option(names = "--cause", defaultValue = "cleared by hand") String cause;

      @Override
      public Integer call() throws Exception {
        return MachinesCommand.report(dm.client().send(new SetHealthPolicy(type, null, cause)));
      }
    }
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
