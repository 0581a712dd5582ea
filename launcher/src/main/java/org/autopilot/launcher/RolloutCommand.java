package org.autopilot.launcher;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.SetBudget;
import org.autopilot.devicemanager.command.StartRollout;
import org.autopilot.devicemanager.command.SteerRollout;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.Rollout;
import org.autopilot.manifests.Durations;
import org.autopilot.manifests.ManifestRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot rollout ...}: watch and steer rollouts; budgets; ingest status. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Shows rollouts per scale unit and steers them (pause, resume, abort, kick).",
    subcommands = {RolloutCommand.Status.class, RolloutCommand.Start.class,
        RolloutCommand.Steer.Pause.class, RolloutCommand.Steer.Resume.class,
        RolloutCommand.Steer.Abort.class, RolloutCommand.Steer.Kick.class,
        RolloutCommand.Budget.class, RolloutCommand.Ingest.class})
final class RolloutCommand {
  private static final int BAR = 20;

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Per-unit progress of every machine type's latest rollout; --watch redraws live.")
  static final class Status implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(arity = "0..1", paramLabel = "TYPE") String type;
    @Option(names = "--watch", description = "redraw on every change (Ctrl-C to stop)") boolean watch;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      long index = 0;
      do {
        index = client.watch(index, watch ? Duration.ofSeconds(2) : Duration.ZERO);
        StringBuilder out = new StringBuilder();
        List<Rollout> rollouts = Json.lenient().convertValue(client.getJson("rollouts").get("items"),
            new com.fasterxml.jackson.core.type.TypeReference<List<Rollout>>() {});
        Instant now = Instant.now();
        for (Rollout r : rollouts) {
          if (type == null || type.equals(r.machineType())) {
            render(r, client.allMachines(Map.of("machineType", r.machineType())), now, out);
          }
        }
        if (rollouts.isEmpty()) {
          out.append("no rollouts yet\n");
        }
        if (watch) {
          System.out.print("\033[H\033[2J");
        }
        System.out.print(out);
        System.out.flush();
      } while (watch);
      return 0;
    }
  }

  /** One rollout: header, one line per unit with a progress bar, the latest reason. */
  static void render(Rollout r, List<Machine> machines, Instant now, StringBuilder out) {
    out.append(String.format("%s: %s -> %s  %s  threshold %d%%  bake %s  started %s ago%n",
        r.machineType(), r.from() == null ? "(none)" : r.from(), r.to(), r.status(), r.threshold(),
        Durations.format(Duration.ofMillis(r.bakeMillis())), ago(r.startedAt(), now)));
    for (Rollout.UnitRollout u : r.units()) {
      List<Machine> in = machines.stream().filter(m -> u.unit().equals(m.scaleUnit())
          && (m.state() == LifecycleState.HEALTHY || m.state() == LifecycleState.PROBATION)).toList();
      long holding = in.stream().filter(m -> m.software().held().contains(r.to())).count();
      long running = in.stream().filter(m -> r.to().equals(m.software().running())).count();
      long baking = in.stream().filter(m -> m.state() == LifecycleState.PROBATION
          && r.to().equals(m.software().active())).count();
      int filled = in.isEmpty() ? 0 : (int) (running * BAR / in.size());
      String bar = "#".repeat(filled) + "-".repeat(BAR - filled);
      String bakeEnds = in.stream().filter(m -> m.state() == LifecycleState.PROBATION
              && r.to().equals(m.software().active()))
          .map(m -> m.stateSince().plusMillis(r.bakeMillis())).max(Instant::compareTo)
          .map(t -> t.isAfter(now) ? "  bake ends in " + Durations.format(
              Duration.ofSeconds(Duration.between(now, t).toSeconds())) : "  bake over, judging")
          .orElse("");
      out.append(String.format("  %-10s %-11s [%s] %3d/%-3d on %s  holding %d/%d%s%s%n", u.unit(),
          u.phase(), bar, running, in.size(), r.to(), holding, in.size(),
          baking > 0 ? "  baking " + baking : "", bakeEnds));
    }
    out.append("  ").append(r.reason()).append('\n');
  }

  private static String ago(Instant t, Instant now) {
    return t == null ? "?" : Durations.format(Duration.ofSeconds(Math.max(0, Duration.between(t, now).toSeconds())));
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Starts rolling a registered version out to its machine type (git ingest does this on every commit).")
  static final class Start implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "NAME@VERSION") String ref;
    @Option(names = "--cause", defaultValue = "started by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.report(dm.client().send(new StartRollout(ManifestRef.parse(ref), cause)));
    }
  }

  /** pause, resume, abort, kick. */
  abstract static class Steer implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "TYPE", description = "machine type") String type;
    @Option(names = "--cause", defaultValue = "", description = "why (recorded with your name)") String cause;

    abstract SteerRollout.Action action();

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.report(dm.client().send(new SteerRollout(type, action(), cause)));
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stops a running rollout where it is.")
    static final class Pause extends Steer {
      SteerRollout.Action action() {
        return SteerRollout.Action.PAUSE;
      }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Lets a paused rollout move again.")
    static final class Resume extends Steer {
      SteerRollout.Action action() {
        return SteerRollout.Action.RESUME;
      }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "Stops a rollout and sends every machine back to the previous version.")
    static final class Abort extends Steer {
      SteerRollout.Action action() {
        return SteerRollout.Action.ABORT;
      }
    }

    @Command(name = "kick", mixinStandardHelpOptions = true, description = "Makes machines that do not hold the new version yet retry at once.")
    static final class Kick extends Steer {
      SteerRollout.Action action() {
        return SteerRollout.Action.KICK;
      }
    }
  }

  @Command(name = "budget", mixinStandardHelpOptions = true,
      description = "Lists disruption budgets, or sets one: budget SCOPE LIMIT (fleet, type:NAME, unit:NAME; 3 or 25%; '' removes).")
  static final class Budget implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(index = "0", arity = "0..1", paramLabel = "SCOPE") String scope;
    @Parameters(index = "1", arity = "0..1", paramLabel = "LIMIT") String limit;
    @Option(names = "--cause", defaultValue = "set by hand") String cause;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      if (scope != null) {
        return MachinesCommand.report(client.send(new SetBudget(scope, limit, cause)));
      }
      for (var b : client.getJson("budgets").get("items")) {
        System.out.printf("%-24s %s%n", b.get("scope").asText(), b.get("limit").asText());
      }
      return 0;
    }
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "What the deployment service made of each manifest source: last commit, accepted, rejected and why.")
  static final class Ingest implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Override
    public Integer call() throws Exception {
      var items = dm.client().getJson("ingests").get("items");
      for (var s : items) {
        System.out.println(s.get("source").asText());
        System.out.println("  last commit      " + s.get("lastCommit").asText());
        System.out.println("  last accepted    " + s.get("acceptedCommit").asText("-")
            + "  " + s.get("acceptedManifests"));
        if (!s.get("rejectedCommit").isNull()) {
          System.out.println("  REJECTED         " + s.get("rejectedCommit").asText());
          s.get("errors").forEach(e -> System.out.println("    " + e.asText()));
        }
      }
      if (items.isEmpty()) {
        System.out.println("no manifest source ingested yet");
      }
      return 0;
    }
  }
}
