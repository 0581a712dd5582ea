package org.autopilot.launcher;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.FleetControl;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.DeploymentConfig;
import org.autopilot.deployment.DeploymentServer;
import org.autopilot.deployment.GitIngest;
import org.autopilot.deployment.RolloutDriver;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.command.SetBudget;
import org.autopilot.fleetsim.InstalledAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.provisioning.ProvisioningService;
import org.autopilot.provisioning.rules.RulesSource;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.devicemanager.command.SetHealthPolicy;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.collection.service.CollectionService;
import org.autopilot.collection.service.CollectionServiceConfig;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.repair.RepairConfig;
import org.autopilot.repair.RepairService;
import org.autopilot.watchdogs.service.WatchdogService;
import org.autopilot.watchdogs.service.WatchdogServiceConfig;
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

  @Option(names = "--no-cockpit", description = "do not start Cockpit (the web UI on BASE+601)")
  boolean noCockpit;

  @Option(names = "--scenario",
      description = "play a scripted story: new machines provisioned, a manifest commit rolled out, "
          + "a hung agent repaired; each act printed with [story]")
  boolean scenario;

  @Option(names = "--exit-after", paramLabel = "SECONDS", defaultValue = "0",
      description = "stop by itself after this long (0 = run until Ctrl-C)")
  long exitAfter;

  @Override
  public Integer call() throws Exception {
    setAsideIfOlder(data);
    LocalCluster cluster = LocalCluster.create(data, replicas, basePort, InstantSource.system());
    Path keyFile = data.resolve("fleet").resolve("operator_key");
    List<URI> deployUris = List.of(URI.create("http://127.0.0.1:" + (basePort + 301)),
        URI.create("http://127.0.0.1:" + (basePort + 302)));
    int scanPorts = ((Math.max(machines, 1) + 20 + DemoProvisioning.RACK - 1) / DemoProvisioning.RACK)
        * DemoProvisioning.RACK;
    URI watchdogUri = URI.create("http://127.0.0.1:" + (basePort + 401));
    // bare machines: the agent starts once provisioning has installed its configuration
    SimulatedFleet fleet = new SimulatedFleet(data.resolve("fleet"),
        List.of(OperatorKey.loadOrCreate(keyFile).getPublic()), InstalledAgent::new,
        Duration.ofSeconds(2)).usePortBlock(basePort + 201, scanPorts);
    List<DeploymentServer> deployment = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fleet.close();
      deployment.forEach(DeploymentServer::close);
      cluster.close();
      stopped.countDown();
    }, "demo-shutdown"));
    cluster.start();
    for (int i = 0; i < deployUris.size(); i++) {
      List<URI> peers = new ArrayList<>(deployUris);
      peers.remove(i);
      deployment.add(new DeploymentServer(DeploymentConfig.of("deploy" + (i + 1),
          data.resolve("deploy" + (i + 1)), deployUris.get(i).getPort(), peers,
          TokenAuthenticator.sha256(cluster.deploymentUploadToken())), new Random()).start());
    }
    // up before the machines boot, so their first watchdog reports find it
    WatchdogService watchdogService = WatchdogService.start(WatchdogServiceConfig.of("watchdog-1",
        "127.0.0.1", watchdogUri.getPort(), cluster.apiUrls(), cluster.token(SatelliteService.WATCHDOG),
        cluster.machineSecret()).withProbeLogin("root", keyFile), InstantSource.system());
    Runtime.getRuntime().addShutdownHook(new Thread(watchdogService::close, "watchdog-service-shutdown"));
    for (int i = 0; i < 100 && !watchdogService.leading(); i++) {
      Thread.sleep(100);
    }
    for (int i = 1; i <= machines; i++) {
      fleet.add(String.format("sim-%02d", i), basePort + 200 + i);
    }
    FleetControl control = new FleetControl(fleet, cluster.token(Role.ADMIN)).start(basePort + 200);
    Runtime.getRuntime().addShutdownHook(new Thread(control::close, "fleet-control-shutdown"));
    DmServer leader = cluster.leader(30_000).orElseThrow(() ->
        new IllegalStateException("no DM leader elected within 30 s"));
    DmClient client = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN));
    String image = DemoProvisioning.ensureImage(data, deployUris, cluster.deploymentUploadToken());
    client.sendAll(List.of(
        new DefineMachineType("web", image, "demo setup: image demo-os-1"),
        new DefineMachineType("db", image, "demo setup: image demo-os-1"),
        new DefineScaleUnit("su-1", "demo setup"),
        new DefineScaleUnit("su-2", "demo setup"),
        new SetBudget("type:web", "25%", "demo: a quarter of the web tier may be out"),
        new SetBudget("type:db", "1", "demo: one database machine out at a time")));
    client.sendAll(List.of(
        new SetHealthPolicy("default", new HealthPolicy(3, "20s", "15s", "30s", "5m", "24h", null,
            null, null, null), "demo: quick to confirm and to trust again, so repairs show within a minute"),
        new SetHealthPolicy("db", new HealthPolicy(3, "20s", "15s", "30s", "5m", "24h", null, null,
            List.of(new HealthPolicy.Window("0 0/5 * * * ?", "2m")), null),
            "demo: database machines are repaired only in a 2-minute window every 5 minutes")));
    RepairService repairService = RepairService.start(RepairConfig.of("repair-1", cluster.apiUrls(),
        cluster.token(SatelliteService.REPAIR), keyFile), InstantSource.system());
    Runtime.getRuntime().addShutdownHook(new Thread(repairService::close, "repair-service-shutdown"));
    Path examples = findExamples();
    Path repo = null;
    String rules = DemoProvisioning.rules(basePort + 201, scanPorts);
    RulesSource rulesSource;
    if (examples != null) {
      repo = DemoRepo.ensure(data.resolve("manifests-repo"), examples, rules);
      rulesSource = RulesSource.git(repo.toAbsolutePath().toString(), "main", "machine-types.yaml",
          data.resolve("provisioning").resolve("rules-mirror"));
      DmClient satellite = new DmClient(cluster.apiUrls(), cluster.token(SatelliteService.DEPLOYMENT));
      GitIngest ingest = new GitIngest(repo.toAbsolutePath().toString(), "main", "manifests",
          data.resolve("deploy-mirror"),
          new DeploymentClient(deployUris, cluster.deploymentUploadToken(), new Random()), satellite);
      Thread poller = new Thread(() -> pollForever(ingest), "demo-git-ingest");
      poller.setDaemon(true);
      poller.start();
      RolloutDriver driver = new RolloutDriver(satellite, "demo-driver", Duration.ofSeconds(1),
          InstantSource.system());
      Runtime.getRuntime().addShutdownHook(new Thread(driver::close, "rollout-driver-shutdown"));
    } else {
      Path file = data.resolve("machine-types.yaml");
      if (!Files.exists(file)) {
        Files.writeString(file, rules);
      }
      rulesSource = RulesSource.file(file);
    }
    // two collection replicas over one embedded H2 database (one process: H2 shares it)
    List<URI> collectionUris = List.of(URI.create("http://127.0.0.1:" + (basePort + 501)),
        URI.create("http://127.0.0.1:" + (basePort + 502)));
    List<TokenAuthenticator.TokenEntry> readers = new ArrayList<>();
    for (Role r : List.of(Role.VIEWER, Role.OPERATOR, Role.ADMIN)) {
      readers.add(new TokenAuthenticator.TokenEntry(r.name().toLowerCase(), r,
          TokenAuthenticator.sha256(cluster.token(r))));
    }
    Files.createDirectories(data.resolve("collection"));
    for (int i = 0; i < collectionUris.size(); i++) {
      CollectionService c = CollectionService.start(CollectionServiceConfig.of("collection-" + (i + 1),
          "127.0.0.1", collectionUris.get(i).getPort(),
          DatabaseConfig.h2(data.resolve("collection").resolve("collection")), cluster.machineSecret(),
          readers), InstantSource.system());
      Runtime.getRuntime().addShutdownHook(new Thread(c::close, "collection-shutdown"));
    }
    Path collectionToken = data.resolve("cockpit").resolve("collection-token");
    Files.createDirectories(collectionToken.getParent());
    Files.writeString(collectionToken, cluster.token(Role.VIEWER));
    ProvisioningService provisioning = DemoProvisioning.start(cluster, keyFile, rulesSource,
        basePort + 201, scanPorts, deployUris, watchdogUri, collectionUris);
    Runtime.getRuntime().addShutdownHook(new Thread(provisioning::close, "provisioning-shutdown"));

    CockpitProcess cockpit = null;
    try {
      if (!noCockpit) {
        cockpit = CockpitProcess.startLocal(data.resolve("cockpit"), basePort + 601, cluster.apiUrls(),
            cluster.token(Role.OPERATOR), collectionUris.stream().map(URI::toString).toList(),
            collectionToken);
        Runtime.getRuntime().addShutdownHook(new Thread(cockpit::close, "cockpit-shutdown"));
      }
    } catch (java.io.IOException e) {
      System.err.println("Cockpit not started: " + e.getMessage());
    }

    System.out.println();
    System.out.println("DM API: " + cluster.apiUrls().get(0));
    for (String id : cluster.configs().keySet()) {
      String api = cluster.configs().get(id).peers().get(id).api();
      System.out.println("  replica " + id + "  " + api + "/api/v1"
          + (id.equals(leader.config().id()) ? "  (leader)" : "") + "   data " + data.resolve(id));
    }
    System.out.println("Credentials: admin token " + cluster.token(Role.ADMIN));
    System.out.println("  (viewer, operator, one per satellite service and machine tokens in "
        + data.resolve("credentials.properties") + ")");
    if (cockpit != null && cockpit.awaitReady(Duration.ofSeconds(90))) {
      System.out.println("Cockpit: " + cockpit.url() + "   log in as operator (or admin, viewer); passwords in "
          + data.resolve("cockpit").resolve("passwords.txt") + "  (log " + cockpit.log() + ")");
    } else if (cockpit != null) {
      System.out.println("Cockpit: did not come up within 90 s; see " + cockpit.log());
    }
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
    System.out.println("Deployment servers: " + deployUris);
    if (repo != null) {
      System.out.println("Manifests: git repository " + repo + " (ingested every 5 s; rollouts "
          + "unit by unit, budget 25% of web / 1 db machine out at a time)");
      System.out.println("Try:  ./autopilot rollout status --watch     ./autopilot machines list");
      System.out.println("      ./autopilot demo-commit web-v2.yaml   (or edit " + repo
          + "/manifests/web.yaml and git commit)");
    } else {
      System.out.println("Manifests: manifests/examples not found here; run from the checkout.");
    }
    System.out.println("Collection: " + collectionUris + " (counters and logs of every agent, H2 in "
        + data.resolve("collection") + ")  Try: ./autopilot collection logs --machine sim-01");
    System.out.println("Watchdog service: http://127.0.0.1:" + (basePort + 401) + "/api/v1/status"
        + "  (heartbeats, SSH probes; only changes reach the DM)");
    System.out.println("Repair service: repair-1 (reboot/reimage/replace over SSH; policy: "
        + "./autopilot repair policy show)");
    System.out.println("Try:  ./autopilot fleet inject sim-04 HUNG_AGENT   then   ./autopilot repair log --follow");
    System.out.println("      ./autopilot repair queue     ./autopilot machines list --health Error");
    System.out.println("Provisioning: prov-1 scans 127.0.0.1:" + (basePort + 201) + "-"
        + (basePort + 200 + scanPorts) + " every 5 s; new machines are registered, typed by "
        + (repo != null ? repo.resolve("machine-types.yaml") : data.resolve("machine-types.yaml"))
        + ", imaged, burned in for 10 s and put in service");
    System.out.println("Try:  ./autopilot provisioning status --watch     ./autopilot fleet add sim-"
        + String.format("%02d", machines + 1) + "   (found on the next scan)");
    System.out.println("Ctrl-C stops everything; the data stays in " + data + "/.");
    System.out.flush();
    if (scenario) {
      new DemoScenario(client, fleet, repo, examples, machines).start();
    }
    if (exitAfter > 0) {
      Thread.sleep(Duration.ofSeconds(exitAfter).toMillis());
      System.exit(0);
    }
    stopped.await();
    return 0;
  }

  /**
   * A data directory made by a demo from before provisioning (machines registered by the demo
   * itself, no OS image, agents not installed on the machines' disks) cannot run under this one:
   * it is moved aside, not deleted, and the demo starts fresh.
   */
  private static void setAsideIfOlder(Path data) throws java.io.IOException {
    if (Files.isDirectory(data.resolve("dm1")) && !Files.isDirectory(data.resolve("images"))) {
      Path aside = data.resolveSibling(data.getFileName() + ".before-provisioning-"
          + System.currentTimeMillis());
      Files.move(data, aside);
      System.out.println("demo: " + data + " was made by an older demo (before provisioning); moved to "
          + aside + ", starting fresh");
    }
  }

  private static void pollForever(GitIngest ingest) {
    while (true) {
      try {
        ingest.pollOnce();
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        System.err.println("git ingest: " + e.getMessage());
        try {
          Thread.sleep(5000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** manifests/examples from the working directory or next to the jar's checkout. */
  private static Path findExamples() {
    for (Path p : List.of(Path.of("manifests", "examples"), Path.of("..", "manifests", "examples"))) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    return null;
  }
}
