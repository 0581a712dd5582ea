package org.autopilot.launcher;

import java.util.List;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.core.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot units ...}: scale units. */
@Command(name = "units", mixinStandardHelpOptions = true, description = "Lists or defines scale units.",
    subcommands = {UnitsCommand.ListUnits.class, UnitsCommand.Define.class})
final class UnitsCommand {
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists scale units.")
  static final class ListUnits implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Override
    public Integer call() throws Exception {
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(
          dm.client().getJson("scale-units").get("items")));
      return 0;
    }
  }

  @Command(name = "define", mixinStandardHelpOptions = true, description = "Creates a scale unit.")
  static final class Define implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--cause", defaultValue = "defined by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.reportAll(dm.client(), List.of(new DefineScaleUnit(name, cause)));
    }
  }
}
