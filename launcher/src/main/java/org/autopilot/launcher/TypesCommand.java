package org.autopilot.launcher;

import java.util.List;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.core.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot types ...}: machine types. */
@Command(name = "types", mixinStandardHelpOptions = true, description = "Lists or defines machine types.",
    subcommands = {TypesCommand.ListTypes.class, TypesCommand.Define.class})
final class TypesCommand {
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists machine types.")
  static final class ListTypes implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Override
    public Integer call() throws Exception {
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(
          dm.client().getJson("machine-types").get("items")));
      return 0;
    }
  }

  @Command(name = "define", mixinStandardHelpOptions = true, description = "Creates a machine type or sets its image.")
  static final class Define implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--image", description = "content address of its OS image") String image;
    @Option(names = "--cause", defaultValue = "defined by hand") String cause;

    @Override
    public Integer call() throws Exception {
      return MachinesCommand.reportAll(dm.client(), List.of(new DefineMachineType(name, image, cause)));
    }
  }
}
