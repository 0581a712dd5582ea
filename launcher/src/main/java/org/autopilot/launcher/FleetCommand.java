package org.autopilot.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot fleet ...}: the simulated fleet's control API (BMC and fault injection). */
@Command(name = "fleet", mixinStandardHelpOptions = true,
    description = "Controls the demo's simulated fleet: list, add, power, inject and clear faults.",
    subcommands = {FleetCommand.ListMachines.class, FleetCommand.Add.class, FleetCommand.Power.class,
        FleetCommand.Inject.class, FleetCommand.Clear.class})
final class FleetCommand {

  /** Where the fleet's control API is; the token is the DM admin token of the demo. */
  static final class Target {
    @Mixin DmOptions dm;
    @Option(names = "--fleet", defaultValue = "http://127.0.0.1:7300",
        description = "fleet control API (default ${DEFAULT-VALUE})")
    String url;

    int call(String method, String path, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
          .header("Authorization", "Bearer " + dm.token())
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      (r.statusCode() < 300 ? System.out : System.err).println(r.body());
      return r.statusCode() < 300 ? 0 : 1;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists simulated machines.")
  static final class ListMachines implements Callable<Integer> {
    @Mixin Target target;

    @Override
    public Integer call() throws Exception {
      return target.call("GET", "/fleet/machines", null);
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a simulated machine (a new SSH endpoint).")
  static final class Add implements Callable<Integer> {
    @Mixin Target target;
    @Parameters(paramLabel = "ID") String id;
    @Option(names = "--port", defaultValue = "0") int port;

    @Override
    public Integer call() throws Exception {
      return target.call("POST", "/fleet/machines", "{\"id\":\"" + id.replace("\"", "") + "\",\"port\":" + port + "}");
    }
  }

  @Command(name = "power", mixinStandardHelpOptions = true, description = "Powers a machine on or off (as its BMC).")
  static final class Power implements Callable<Integer> {
    @Mixin Target target;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "on|off") String state;

    @Override
    public Integer call() throws Exception {
      return target.call("POST", "/fleet/machines/" + id + "/power/" + state, null);
    }
  }

  /** Inject and clear differ only in the HTTP method. */
  abstract static class FaultChange implements Callable<Integer> {
    @Mixin Target target;
    @Parameters(index = "0", paramLabel = "ID") String id;
    @Parameters(index = "1", paramLabel = "FAULT") String fault;

    abstract String method();

    @Override
    public Integer call() throws Exception {
      return target.call(method(), "/fleet/machines/" + id + "/faults/" + fault, null);
    }
  }

  @Command(name = "inject", mixinStandardHelpOptions = true,
      description = "Injects a fault: DISK_ERROR, CRASHING_APP, HUNG_AGENT, LOST_HEARTBEAT, SLOW_NETWORK, DEAD_NETWORK.")
  static final class Inject extends FaultChange {
    @Override
    String method() {
      return "POST";
    }
  }

  @Command(name = "clear", mixinStandardHelpOptions = true, description = "Clears a fault.")
  static final class Clear extends FaultChange {
    @Override
    String method() {
      return "DELETE";
    }
  }
}
