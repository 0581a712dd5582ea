package org.autopilot.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.ManifestPublisher;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.provisioning.BurnInSettings;
import org.autopilot.provisioning.ImagingSettings;
import org.autopilot.provisioning.ProvisioningConfig;
import org.autopilot.provisioning.ProvisioningService;
import org.autopilot.provisioning.ScanSettings;
import org.autopilot.provisioning.rules.RulesSource;
import org.autopilot.provisioning.scan.ScanTarget;

/**
 * The demo's provisioning: an OS image archive on the deployment servers, machine-type rules in
 * the demo's manifests repository, and one provisioning service that scans the simulated fleet's
 * port block, registers what it finds, images it, burns it in and hands it to service — the
 * same service and steps as in production, with short timings.
 */
final class DemoProvisioning {
  /** Ports per rack in the demo's rules: the first is a database machine, the rest web. */
  static final int RACK = 5;

  private DemoProvisioning() {}

  /**
   * The demo OS image: {@code <data>/images/demo-os-1.tar.gz}, made once with {@code tar} (so its
   * SHA-256, the machine types' image, stays the same across restarts of the demo) and uploaded
   * to the deployment servers; its SHA-256.
   */
  static String ensureImage(Path data, List<URI> deploymentServers, String uploadToken)
      throws IOException, InterruptedException {
    Path archive = data.resolve("images").resolve("demo-os-1.tar.gz");
    if (!Files.isRegularFile(archive)) {
      Path tree = Files.createDirectories(data.resolve("images").resolve("demo-os-1").resolve("opt").resolve("os"));
      Files.writeString(tree.resolve("release"), "autopilot demo os 1\n");
      Path partial = archive.resolveSibling("demo-os-1.tar.gz.partial");
      Process tar = new ProcessBuilder("tar", "-czf", partial.toString(), "-C",
          tree.getParent().getParent().toString(), "opt").redirectErrorStream(true).start();
      String out = new String(tar.getInputStream().readAllBytes());
      if (tar.waitFor() != 0) {
        throw new IOException("tar could not make the demo image " + archive + ": " + out);
      }
      Files.move(partial, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    String sha = ManifestPublisher.sha256(archive);
    for (URI server : deploymentServers) {
      new DeploymentClient(List.of(server), uploadToken, new Random()).upload(sha, archive);
    }
    return sha;
  }

  /**
   * The rules for the port block {@code first .. first+ports-1}: one rack per {@value #RACK}
   * ports, racks alternating between scale units su-1 and su-2; in each rack the first port is a
   * db machine, the others web.
   */
  static String rules(int first, int ports) {
    StringBuilder b = new StringBuilder("""
        # Machine types of the demo's simulated fleet, by SSH port (read by provisioning from this
        # repository; edit and commit to re-type machines that are still New).
        rules:
        """);
    for (int rack = 0; rack * RACK < ports; rack++) {
      int p = first + rack * RACK;
      int last = Math.min(p + RACK - 1, first + ports - 1);
      String unit = rack % 2 == 0 ? "su-1" : "su-2";
      b.append("  - {name: rack-").append(rack + 1).append("-db, match: {ports: [").append(p)
          .append("]}, type: db, unit: ").append(unit).append(", rack: rack-").append(rack + 1).append("}\n");
      if (last > p) {
        b.append("  - {name: rack-").append(rack + 1).append("-web, match: {ports: [\"").append(p + 1)
            .append("-").append(last).append("\"]}, type: web, unit: ").append(unit)
            .append(", rack: rack-").append(rack + 1).append("}\n");
      }
    }
    return b.toString();
  }

  /** The agent configuration provisioning installs on each demo machine. */
  static String agentTemplate(URI watchdogService, List<URI> collection) {
    return ImagingSettings.DEFAULT_TEMPLATE + """
        peerPort: 0
        watchdogs:
          report: [%s]
        """.formatted(watchdogService) + (collection.isEmpty() ? "" : """
        collection:
          urls: [%s]
          interval: 5s
        """.formatted(String.join(", ", collection.stream().map(URI::toString).toList())));
  }

  /**
   * Starts the provisioning service over the port block, with the machine-type rules
   * from {@code rules}, imaging from the deployment servers and a 10 s burn-in.
   */
  static ProvisioningService start(LocalCluster cluster, Path operatorKey, RulesSource rules,
      int firstPort, int ports, List<URI> deploymentServers, URI watchdogService, List<URI> collection)
      throws IOException {
    ScanSettings scan = ScanSettings.defaults(List.of(new ScanTarget("127.0.0.1/32",
        List.of(firstPort + "-" + (firstPort + ports - 1))))).withEvery(Duration.ofSeconds(5));
    ProvisioningConfig config = ProvisioningConfig.of("prov-1", cluster.apiUrls(),
            cluster.token(SatelliteService.PROVISIONING), operatorKey, scan)
        .withLeaseTtl(Duration.ofSeconds(6))
        .withSshTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60))
        .withRules(rules, Duration.ofSeconds(5))
        .withImaging(ImagingSettings.defaults(deploymentServers, cluster.machineSecret())
                .withAgentTemplate(agentTemplate(watchdogService, collection))
                .withBounds(3, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(1)),
            BurnInSettings.defaults().withDuration(Duration.ofSeconds(10)))
        .withPace(8, Duration.ofSeconds(1));
    return ProvisioningService.start(config, InstantSource.system());
  }
}
