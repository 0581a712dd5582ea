package org.autopilot.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.DeploymentConfig;
import org.autopilot.deployment.DeploymentServer;
import org.autopilot.deployment.ManifestPublisher;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.command.AdvanceRollout;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.StartRollout;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.fleetsim.InstalledAgent;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.provisioning.rules.RulesSource;

/**
 * A {@link ProvisioningFleet} whose machines are installed for real: a deployment server holding
 * an OS image archive (a real tar.gz, its SHA-256 the type's image) and the type's manifest
 * (released through a rollout), machine-type rules in a file, and simulated machines whose agent
 * starts only once provisioning has installed its configuration.
 */
final class ImagingLab implements AutoCloseable {
  /** The agent configuration installed on each machine: short timings for a test. */
  static final String AGENT = """
      machineId: {machine}
      dmUrls: {dmUrls}
      dmToken: "{token}"
      home: ../../var/lib/autopilot
      sources: {sources}
      watchWait: 5s
      restartBackoff: 100ms
      maxRestartBackoff: 500ms
      stableAfter: 500ms
      watchdogs:
        interval: 500ms
      """;
  final ProvisioningFleet lab;
  final DeploymentServer deploy;
  final String image;
  final ManifestRef manifest = ManifestRef.parse("web@1");

  ImagingLab(Path dir) throws Exception {
    lab = new ProvisioningFleet(dir, InstalledAgent::new);
    deploy = new DeploymentServer(DeploymentConfig.of("d1", dir.resolve("deploy"), 0, List.of(),
        TokenAuthenticator.sha256("up")), new Random(1)).start();
    DeploymentClient upload = new DeploymentClient(List.of(deploy.uri()), "up", new Random(1));
    Path tree = Files.createDirectories(dir.resolve("image-tree/opt/os"));
    Files.writeString(tree.resolve("release"), "autopilot test os 1\n");
    Path archive = dir.resolve("os-1.tar.gz");
    Process tar = new ProcessBuilder("tar", "-czf", archive.toString(), "-C", dir.resolve("image-tree").toString(), "opt")
        .redirectErrorStream(true).start();
    assertThat(tar.waitFor()).isZero();
    image = ManifestPublisher.sha256(archive);
    upload.upload(image, archive);
    lab.accept(new DefineMachineType("web", image, "test: os 1"), new DefineScaleUnit("su-1", "test"));
    Files.writeString(dir.resolve("machine-types.yaml"), """
        rules:
          - name: lab
            match: {address: 127.0.0.1/32, cpus: ">= 2"}
            type: web
            unit: su-1
            rack: r1
        """);
    publishAndRelease(dir, upload);
  }

  /** web@1: one app writing its status every 200 ms; rolled out to the (still empty) type. */
  private void publishAndRelease(Path dir, DeploymentClient upload) throws Exception {
    Path m = Files.createDirectories(dir.resolve("manifests"));
    String script = "#!/bin/sh\nwhile true; do echo up > status; sleep 0.2; done\n";
    Files.writeString(m.resolve("run.sh"), script);
    Files.writeString(m.resolve("web.yaml"), """
        name: web
        version: "1"
        machineType: web
        files:
          - path: web/run.sh
            sha256: %s
            size: %d
            mode: "0755"
            source: run.sh
        apps:
          - name: web
            directory: web
            start: ./run.sh
        rollout:
          bake: 1s
        """.formatted(ManifestPublisher.sha256(m.resolve("run.sh")), script.length()));
    CommandResult r = new ManifestPublisher(upload, lab.admin).publish(m.resolve("web.yaml"),
        new ManifestVersion.Origin(null, "test", "web 1", "web.yaml"), "test");
    assertThat(r.accepted()).as(r.reason()).isTrue();
    lab.accept(new StartRollout(manifest, "test"), new AdvanceRollout("web", "test"));
    JsonNode rollout = lab.admin.getJson("rollouts").path("items").get(0);
    assertThat(rollout.path("released").asText()).as("web@1 released to the empty type: %s", rollout)
        .isEqualTo("web@1");
  }

  ProvisioningConfig config(String holder, Duration burnIn) {
    return lab.config(holder)
        .withRules(RulesSource.file(lab.dir.resolve("machine-types.yaml")), Duration.ofMillis(500))
        .withImaging(ImagingSettings.defaults(List.of(deploy.uri()), lab.dm.machineSecret())
                .withAgentTemplate(AGENT)
                .withBounds(3, Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofMinutes(1)),
            BurnInSettings.defaults().withDuration(burnIn))
        .withPace(8, Duration.ofSeconds(1));
  }

  List<URI> sources() {
    return List.of(deploy.uri());
  }

  @Override
  public void close() {
    lab.close();
    deploy.close();
  }
}
