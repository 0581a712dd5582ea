package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.MachineReplaced;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.manifests.Durations;
import org.autopilot.provisioning.ProvisioningService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code autopilot provisioning ...}: runs a provisioning replica ({@code provisioning serve
 * --config}, or just {@code provisioning --config}) and shows every machine's way through
 * New → Provisioning → BurnIn → Healthy with the time of each step.
 */
@Command(name = "provisioning", mixinStandardHelpOptions = true,
    description = "Runs the provisioning service (serve --config, see docs/provisioning.md) and shows machines' progress.",
    subcommands = {ProvisioningCommand.Serve.class, ProvisioningCommand.Status.class})
final class ProvisioningCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Option(names = "--config", description = "provisioning.yaml: the same as 'provisioning serve --config FILE'")
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
      description = "Runs one provisioning replica until stopped; replicas elect a leader through the DM's provisioning lease.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "provisioning.yaml") Path config;

    @Override
    public Integer call() throws Exception {
      return serve(config);
    }

    static int serve(Path config) throws Exception {
      ProvisioningService s = ProvisioningService.start(config);
      return Foreground.runUntilStopped("provisioning", s, "provisioning " + s.holder()
          + " running; it acts while it holds the '" + ProvisioningService.LEASE + "' lease");
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Machines being provisioned (and, with --all, every machine provisioning touched): "
          + "state, time in it, the latest step; with a machine id, its whole way with the time of every step.")
  static final class Status implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(arity = "0..1", paramLabel = "MACHINE", description = "show this machine's timeline") String machine;
    @Option(names = "--all", description = "also machines that finished provisioning") boolean all;
    @Option(names = "--watch", description = "redraw on every change (Ctrl-C to stop)") boolean watch;

    @Override
    public Integer call() throws Exception {
      DmClient client = dm.client();
      long index = 0;
      do {
        if (watch) {
          index = client.watch(index, Duration.ofSeconds(30));
          System.out.print("\033[H\033[2J");
        }
        String text;
        if (machine != null) {
          MachineId id = MachineId.of(machine);
          Machine m = client.machine(id).orElseThrow(() -> new IllegalArgumentException("no machine " + machine));
          List<DmEvent> events = new ArrayList<>();
          long after = 0;
          while (true) {
            var page = client.events(id, after, 1000);
            events.addAll(page.items());
            if (page.next() == null || page.items().isEmpty()) {
              break;
            }
            after = page.items().get(page.items().size() - 1).revision();
          }
          text = timeline(m, events);
        } else {
          Lease lease = client.leases().stream().filter(l -> l.service().equals(ProvisioningService.LEASE))
              .findFirst().orElse(null);
          text = table(client.allMachines(Map.of()), lease, Instant.now(), all);
        }
        System.out.print(text);
        System.out.flush();
      } while (watch);
      return 0;
    }
  }

  /** One line per machine being provisioned (or every machine with a provisioning record). */
  static String table(List<Machine> machines, Lease lease, Instant now, boolean all) {
    StringBuilder out = new StringBuilder();
    out.append("leader: ").append(lease == null ? "none yet" : lease.holder() + " (epoch " + lease.epoch()
        + (lease.heldAt(now) ? "" : ", expired") + ")").append('\n');
    out.append(String.format("%-14s %-13s %-8s %-8s %-8s %-15s %-20s %s%n", "MACHINE", "STATE", "TYPE",
        "UNIT", "FOR", "STEP", "AT (UTC)", "DETAIL"));
    int n = 0;
    for (Machine m : machines) {
      boolean underWay = m.state() == LifecycleState.NEW || m.state() == LifecycleState.PROVISIONING
          || m.state() == LifecycleState.BURN_IN;
      if (!underWay && !(all && !m.provisioning().isEmpty())) {
        continue;
      }
      n++;
      ProvisioningStep last = m.provisioning().isEmpty() ? null : m.provisioning().get(m.provisioning().size() - 1);
      String detail = last == null ? "" : last.detail();
      out.append(String.format("%-14s %-13s %-8s %-8s %-8s %-15s %-20s %s%n", m.id(), m.state().label(),
          dash(m.machineType()), dash(m.scaleUnit()),
          Durations.format(Duration.ofSeconds(Math.max(0, Duration.between(m.stateSince(), now).toSeconds()))),
          last == null ? "-" : last.step(), last == null ? "-" : TIME.format(last.at()),
          detail.length() > 100 ? detail.substring(0, 97) + "..." : detail));
    }
    if (n == 0) {
      out.append(all ? "no machine has been provisioned\n" : "no machine is being provisioned\n");
    }
    return out.toString();
  }

  /** A machine's way from discovery on, one line per registration, move and step, with times. */
  static String timeline(Machine m, List<DmEvent> events) {
    StringBuilder out = new StringBuilder();
    out.append(m.id()).append(": ").append(m.state().label()).append(" since ").append(TIME.format(m.stateSince()))
        .append(" UTC, type ").append(dash(m.machineType())).append(", unit ").append(dash(m.scaleUnit()))
        .append(", ").append(m.address()).append(", host key ").append(m.hostKeyFingerprint()).append('\n');
    for (DmEvent e : events) {
      String line;
      if (e instanceof MachineRegistered r) {
        line = "registered     " + r.cause();
      } else if (e instanceof MachinePlaced p) {
        line = "placed         type " + dash(p.machineType()) + ", unit " + dash(p.scaleUnit()) + ": " + p.cause();
      } else if (e instanceof StateChanged s) {
        line = String.format("%-14s %s", "-> " + s.to().label(), s.cause());
      } else if (e instanceof ProvisioningReported p) {
        line = String.format("  %-12s %s [%s, epoch %d]", p.step().step(), p.step().detail(),
            p.step().holder(), p.step().epoch());
      } else if (e instanceof MachineReplaced r) {
        line = "replaced       " + r.cause();
      } else {
        continue;
      }
      out.append(TIME.format(e.at())).append("  ").append(line).append('\n');
    }
    return out.toString();
  }

  private static String dash(String s) {
    return s == null ? "-" : s;
  }
}
