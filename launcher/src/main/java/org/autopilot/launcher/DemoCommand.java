package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.FleetControl;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot demo}: the whole system on this machine, as much of it as exists. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Starts DM replicas and a simulated fleet on loopback (data in demo-data/), "
        + "prints where the API is and the credentials; Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "3", description = "DM replicas: 1, 3, 5 or 7 (default ${DEFAULT-VALUE})")
  int replicas;

  @Option(names = "--data", defaultValue = "demo-data", description = "data directory (default ${DEFAULT-VALUE})")
  Path data;

  @Option(names = "--base-port", defaultValue = "7100",
      description = "API ports are BASE+1.., Raft ports BASE+101.. (default ${DEFAULT-VALUE})")
  int basePort;

  @Option(names = "--machines", defaultValue = "20",
      description = "simulated machines, SSH on ports BASE+201.. (default ${DEFAULT-VALUE})")
  int machines;

  @Option(names = "--exit-after", paramLabel = "SECONDS", defaultValue = "0",
      description = "stop by itself after this long (0 = run until Ctrl-C)")
  long exitAfter;

  @Override
  public Integer call() throws Exception {
    LocalCluster cluster = LocalCluster.create(data, replicas, basePort, InstantSource.system());
    Path keyFile = data.resolve("fleet").resolve("operator_key");
    SimulatedFleet fleet = new SimulatedFleet(data.resolve("fleet"),
        List.of(OperatorKey.loadOrCreate(keyFile).getPublic()), () -> MachineAgent.NONE,
        Duration.ofSeconds(2));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fleet.close();
      cluster.close();
      stopped.countDown();
    }, "demo-shutdown"));
    cluster.start();
    for (int i = 1; i <= machines; i++) {
      fleet.add(String.format("sim-%02d", i), basePort + 200 + i);
    }
    FleetControl control = new FleetControl(fleet, cluster.token(Role.ADMIN)).start(basePort + 200);
    Runtime.getRuntime().addShutdownHook(new Thread(control::close, "fleet-control-shutdown"));
    DmServer leader = cluster.leader(30_000).orElseThrow(() ->
        new IllegalStateException("no DM leader elected within 30 s"));
    DmClient client = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN));
    List<DmCommand> setup = List.of(
        new DefineMachineType("web", null, "demo setup"),
        new DefineMachineType("db", null, "demo setup"),
        new DefineScaleUnit("su-1", "demo setup"),
        new DefineScaleUnit("su-2", "demo setup"));
    client.sendAll(setup);

    System.out.println();
    System.out.println("DM API: " + cluster.apiUrls().get(0));
    for (String id : cluster.configs().keySet()) {
      String api = cluster.configs().get(id).peers().get(id).api();
      System.out.println("  replica " + id + "  " + api + "/api/v1"
          + (id.equals(leader.config().id()) ? "  (leader)" : "") + "   data " + data.resolve(id));
    }
    System.out.println("Credentials: admin token " + cluster.token(Role.ADMIN));
    System.out.println("  (viewer, operator, satellite and machine tokens in "
        + data.resolve("credentials.properties") + ")");
    System.out.println("Try:  ./autopilot status   ./autopilot machines list   ./autopilot events --follow");
    System.out.println("      curl -H 'Authorization: Bearer " + cluster.token(Role.ADMIN) + "' "
        + cluster.apiUrls().get(0) + "/machines");
    if (machines > 0) {
      System.out.println("Simulated fleet: " + machines + " machines, SSH on 127.0.0.1:"
          + (basePort + 201) + "-" + (basePort + 200 + machines) + ", key " + keyFile
          + "  (e.g. ssh -i " + keyFile + " -p " + (basePort + 201) + " root@127.0.0.1 machine-id)");
    }
    System.out.println("Fleet control: http://127.0.0.1:" + control.port()
        + "/fleet/machines  (./autopilot fleet list | add sim-21 | inject sim-03 DISK_ERROR | power sim-03 off)");
    System.out.println("Not built yet: discovery into the DM, agents, satellites and Cockpit (see README).");
    System.out.println("Ctrl-C stops everything; the data stays in " + data + "/.");
    System.out.flush();
    if (exitAfter > 0) {
      Thread.sleep(Duration.ofSeconds(exitAfter).toMillis());
      System.exit(0);
    }
    stopped.await();
    return 0;
  }
}
