package org.autopilot.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./autopilot}. */
@Command(name = "autopilot", mixinStandardHelpOptions = true, version = "autopilot 0.1.0",
    description = "Runs and operates an autopilot fleet.",
    subcommands = {DmCommand.class, DemoCommand.class, DemoCommitCommand.class, StatusCommand.class, MachinesCommand.class,
        TypesCommand.class, UnitsCommand.class, EventsCommand.class, LeasesCommand.class,
        FleetCommand.class, ManifestsCommand.class, RolloutCommand.class, AgentCommand.class, DeploymentCommand.class,
        RepairCommand.class,
        ProvisioningCommand.class,
        WatchdogServiceCommand.class,
        CockpitCommand.class,
        CollectionCommand.class,
        BenchCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    if ("json".equalsIgnoreCase(System.getenv("AUTOPILOT_LOG_FORMAT"))
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      String why = e.getMessage() != null ? e.getMessage() : e.toString();
      line.getErr().println(line.getColorScheme().errorText("error: " + why));
      return 1;
    });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
