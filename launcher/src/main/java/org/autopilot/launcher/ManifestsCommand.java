package org.autopilot.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.autopilot.deployment.DeploymentClient;
import org.autopilot.deployment.ManifestPublisher;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestException;
import org.autopilot.manifests.ManifestRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot manifests ...}: validate, publish, list and show manifest versions. */
@Command(name = "manifests", aliases = "manifest", mixinStandardHelpOptions = true,
    description = "Validates, publishes, lists and shows manifests.",
    subcommands = {ManifestsCommand.Validate.class, ManifestsCommand.Publish.class,
        ManifestsCommand.ListManifests.class, ManifestsCommand.Show.class})
final class ManifestsCommand {

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = "Checks manifest files strictly (and that their sources match their hashes); "
          + "exit status 1 if any is invalid.")
  static final class Validate implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*") List<Path> files;

    @Override
    public Integer call() {
      int bad = 0;
      for (Path f : files) {
        try {
          Manifest m = ManifestPublisher.check(f);
          System.out.println(f + ": ok  " + m.ref() + "  " + m.files().size() + " files, "
              + m.apps().size() + " apps, " + m.totalBytes() + " bytes");
        } catch (ManifestException e) {
          System.out.println(e.getMessage());
          bad++;
        }
      }
      return bad == 0 ? 0 : 1;
    }
  }

  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = "Validates a manifest, uploads its files to the deployment servers and "
          + "registers the version in the DM (until git ingest exists, #4).")
  static final class Publish implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "FILE") Path file;
    @Option(names = "--deployment", split = ",", paramLabel = "URL",
        description = "deployment server URL(s) (default: the demo's, http://127.0.0.1:7401,7402)")
    List<URI> deployment = List.of(URI.create("http://127.0.0.1:7401"), URI.create("http://127.0.0.1:7402"));
    @Option(names = "--upload-token", description = "deployment upload token (env "
        + "AUTOPILOT_UPLOAD_TOKEN; default: demo-data/credentials.properties)")
    String uploadToken;
    @Option(names = "--cause", defaultValue = "published by hand") String cause;

    @Override
    public Integer call() throws Exception {
      ManifestPublisher p = new ManifestPublisher(
          new DeploymentClient(deployment, uploadToken(), new Random(), DmOptions.trust(dm.ca)),
          dm.client());
      try {
        return MachinesCommand.report(p.publish(file, null, cause));
      } catch (ManifestException e) {
        System.err.println(e.getMessage());
        return 1;
      }
    }

    private String uploadToken() throws IOException {
      if (uploadToken != null) {
        return uploadToken;
      }
      return DmOptions.credential("AUTOPILOT_UPLOAD_TOKEN", "deployment-upload",
          "deployment upload token", "--upload-token");
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists registered manifest versions.")
  static final class ListManifests implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Override
    public Integer call() throws Exception {
      var items = dm.client().getJson("manifests").get("items");
      System.out.printf("%-24s %-10s %6s %10s  %-14s %s%n", "MANIFEST", "TYPE", "FILES", "BYTES", "DIGEST", "ORIGIN");
      for (var m : items) {
        var origin = m.get("origin");
        System.out.printf("%-24s %-10s %6d %10d  %-14s %s%n", m.get("ref").asText(),
            m.get("machineType").isNull() ? "-" : m.get("machineType").asText(),
            m.get("files").asInt(), m.get("bytes").asLong(), m.get("digest").asText().substring(0, 12),
            origin == null || origin.isNull() ? "-" : origin.get("commit").asText());
      }
      System.out.println(items.size() + " manifest version(s)");
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows one manifest version as JSON.")
  static final class Show implements Callable<Integer> {
    @Mixin DmOptions dm;
    @Parameters(paramLabel = "NAME@VERSION") String ref;

    @Override
    public Integer call() throws Exception {
      var v = dm.client().manifest(ManifestRef.parse(ref));
      if (v.isEmpty()) {
        System.err.println("manifest " + ref + " is not registered");
        return 1;
      }
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(v.get()));
      return 0;
    }
  }
}
