package org.autopilot.chaos;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.DeploymentConfig;
import org.autopilot.deployment.DeploymentServer;
import org.autopilot.deployment.GitIngest;
import org.autopilot.deployment.GitRepo;
import org.autopilot.deployment.ManifestPublisher;
import org.autopilot.deployment.RolloutDriver;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.InstalledAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.provisioning.BurnInSettings;
import org.autopilot.provisioning.ImagingSettings;
import org.autopilot.provisioning.ProvisioningConfig;
import org.autopilot.provisioning.ProvisioningService;
import org.autopilot.provisioning.ScanSettings;
import org.autopilot.provisioning.rules.RulesSource;
import org.autopilot.provisioning.scan.ScanTarget;
import org.autopilot.repair.RepairConfig;
import org.autopilot.repair.RepairService;
import org.autopilot.repair.plan.CommandMap;
import org.autopilot.watchdogs.service.WatchdogService;
import org.autopilot.watchdogs.service.WatchdogServiceConfig;

/**
 * The whole system in this JVM on loopback, as the demo runs it but with short timings: the
 * {@link ChaosCluster DM cluster}, two deployment servers (peers of each other) holding an OS
 * image and the manifests' files, a git repository of manifests ingested every second, the
 * rollout driver, the watchdog service, two repair service replicas and two provisioning
 * replicas (each pair electing a leader by DM lease), and a simulated fleet of bare machines on
 * a block of ports that provisioning scans, images and hands to service. Parts the chaos kills
 * can be stopped and started again under the same name, port and data.
 */
final class ChaosWorld implements AutoCloseable {
  static final String UPLOAD = "chaos-upload";
  final Path dir;
  final ChaosCluster dm;
  final DmClient admin;
  final Path operatorKey;
  final List<URI> deployUris = new ArrayList<>();
  final DeploymentServer[] deploy = new DeploymentServer[2];
  final GitRepo repo;
  final SimulatedFleet fleet;
  final int firstPort;
  final int machines;
  final RepairService[] repair = new RepairService[2];
  final ProvisioningService[] provisioning = new ProvisioningService[2];
  WatchdogService watchdogs;
  RolloutDriver driver;
  String image;
  private volatile boolean running = true;
  private Thread ingestThread;

  ChaosWorld(Path dir, int machines, long seed) throws Exception {
    this.dir = dir;
    this.machines = machines;
    dm = new ChaosCluster(dir.resolve("dm"), 3, InstantSource.system()).start();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(seed), Duration.ofSeconds(5), 8);
    KeyPair operator = OperatorKey.loadOrCreate(dir.resolve("operator_key"));
    operatorKey = dir.resolve("operator_key");
    for (int i = 0; i < 2; i++) {
      deployUris.add(URI.create("http://127.0.0.1:" + LocalCluster.freePort()));
    }
    for (int i = 0; i < 2; i++) {
      startDeploy(i);
    }
    repo = new GitRepo(dir.resolve("repo"));
    firstPort = freeBlock(machines);
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()), InstalledAgent::new,
        Duration.ofMillis(500)).usePortBlock(firstPort, machines);
  }

  /** The OS image on both deployment servers; its SHA-256. */
  String makeImage() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("image-tree/opt/os"));
    Files.writeString(tree.resolve("release"), "autopilot chaos os 1\n");
    Path archive = dir.resolve("os-1.tar.gz");
    Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C",
        dir.resolve("image-tree").toString(), "opt").redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (tar.waitFor() != 0) {
      throw new IOException("tar failed: " + out);
    }
    image = ManifestPublisher.sha256(archive);
    for (URI u : deployUris) {
      new DeploymentClient(List.of(u), UPLOAD, new Random(1)).upload(image, archive);
    }
    return image;
  }

  /**
   * Commits manifest {@code web@version}: one app that writes its status every 200 ms, rolled
   * out with a 75% threshold and a short bake.
   */
  void commitManifest(String version) throws Exception {
    String body = "#!/bin/sh\nwhile true; do echo web " + version + " > status; sleep 0.2; done\n";
    String file = "files/web-" + version + ".sh";
    repo.write("manifests/" + file, body);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    repo.write("manifests/web.yaml", """
        name: web
        version: "%s"
        machineType: web
        files:
          - path: app/run.sh
            sha256: %s
            size: %d
            mode: "0755"
            source: %s
        apps:
          - name: app
            directory: app
            start: ./run.sh
            stopTimeout: 2s
        rollout: {threshold: 75, bake: 3s}
        """.formatted(version, sha, bytes.length, file));
    repo.commit("web " + version);
  }

  /** Machine-type rules: the first half of the port block is unit su-1, the rest su-2. */
  Path rules() throws IOException {
    int half = machines / 2;
    return Files.writeString(dir.resolve("machine-types.yaml"), """
        rules:
          - {name: su-1, match: {ports: ["%d-%d"]}, type: web, unit: su-1, rack: r1}
          - {name: su-2, match: {ports: ["%d-%d"]}, type: web, unit: su-2, rack: r2}
        """.formatted(firstPort, firstPort + half - 1, firstPort + half, firstPort + machines - 1));
  }

  /** Git ingest every second, and the rollout driver. */
  void startDeploymentPipeline() {
    DmClient satellite = new DmClient(dm.apiUrls(), dm.token(SatelliteService.DEPLOYMENT));
    GitIngest ingest = new GitIngest(repo.dir().toString(), "main", "manifests", dir.resolve("mirror"),
        new DeploymentClient(deployUris, UPLOAD, new Random(1)), satellite);
    ingestThread = new Thread(() -> {
      while (running) {
        try {
          ingest.pollOnce();
        } catch (Exception e) {
          // a DM or deployment server down: the next poll tries again
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "chaos-git-ingest");
    ingestThread.setDaemon(true);
    ingestThread.start();
    driver = new RolloutDriver(satellite, "driver-1", Duration.ofMillis(500), InstantSource.system());
  }

  void startWatchdogService() throws IOException {
    watchdogs = WatchdogService.start(WatchdogServiceConfig.of("wd-1", "127.0.0.1", LocalCluster.freePort(),
        dm.apiUrls(), dm.token(SatelliteService.WATCHDOG), dm.machineSecret())
        .withTimes(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofMillis(300),
            Duration.ofSeconds(1), Duration.ofSeconds(3))
        .withProbeLogin("root", operatorKey), InstantSource.system());
  }

  void startDeploy(int i) throws IOException {
    List<URI> peers = new ArrayList<>(deployUris);
    peers.remove(i);
    deploy[i] = new DeploymentServer(DeploymentConfig.of("deploy" + (i + 1), dir.resolve("deploy" + (i + 1)),
        deployUris.get(i).getPort(), peers, TokenAuthenticator.sha256(UPLOAD)), new Random(i)).start();
  }

  void startRepair(int i) throws IOException {
    repair[i] = RepairService.start(RepairConfig.of("repair-" + (i + 1), dm.apiUrls(), dm.token(SatelliteService.REPAIR),
        operatorKey).withCommands(CommandMap.builtIn())
        .withTiming("0/2 * * * * ?", Duration.ofSeconds(3), 4, Duration.ofSeconds(2)), InstantSource.system());
  }

  void startProvisioning(int i) throws IOException {
    ScanSettings scan = ScanSettings.defaults(List.of(new ScanTarget("127.0.0.1/32",
        List.of(firstPort + "-" + (firstPort + machines - 1))))).withEvery(Duration.ofSeconds(2));
    String agent = ImagingSettings.DEFAULT_TEMPLATE + """
        watchWait: 5s
        restartBackoff: 100ms
        maxRestartBackoff: 500ms
        stableAfter: 500ms
        peerPort: 0
        watchdogs:
          interval: 500ms
          report: [%s]
        """.formatted(watchdogs.url());
    ProvisioningConfig c = ProvisioningConfig.of("prov-" + (i + 1), dm.apiUrls(), dm.token(SatelliteService.PROVISIONING),
            operatorKey, scan)
        .withLeaseTtl(Duration.ofSeconds(3))
        .withSshTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30))
        .withRules(RulesSource.file(rules()), Duration.ofSeconds(2))
        .withImaging(ImagingSettings.defaults(deployUris, dm.machineSecret()).withAgentTemplate(agent)
                .withBounds(3, Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofSeconds(10)),
            BurnInSettings.defaults().withDuration(Duration.ofSeconds(3)))
        .withPace(8, Duration.ofSeconds(1));
    provisioning[i] = ProvisioningService.start(c, InstantSource.system());
  }

  /** Powers on the bare machines; provisioning finds them on its next scan. */
  void bootFleet() throws IOException {
    for (int i = 0; i < machines; i++) {
      fleet.add(String.format("m%02d", i + 1), firstPort + i);
    }
  }

  private static int freeBlock(int n) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first = LocalCluster.freePort();
      boolean ok = true;
      for (int p = first + 1; p < first + n && ok; p++) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
          ok = true;
        } catch (IOException taken) {
          ok = false;
        }
      }
      if (ok) {
        return first;
      }
    }
    throw new IOException("no block of " + n + " free loopback ports found");
  }

  @Override
  public void close() {
    running = false;
    if (ingestThread != null) {
      ingestThread.interrupt();
    }
    for (ProvisioningService p : provisioning) {
      if (p != null) {
        p.close();
      }
    }
    for (RepairService r : repair) {
      if (r != null) {
        r.close();
      }
    }
    if (driver != null) {
      driver.close();
    }
    fleet.close();
    if (watchdogs != null) {
      watchdogs.close();
    }
    for (DeploymentServer d : deploy) {
      if (d != null) {
        d.close();
      }
    }
    repo.close();
    admin.close();
    dm.close();
  }
}
