package org.autopilot.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.RegisterManifest;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestException;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestParser;
import org.autopilot.manifests.SafePath;

/**
 * Publishes a manifest file: parses it strictly, checks that every file's {@code source} (next
 * to the manifest) has the declared SHA-256 and size, uploads the files to the deployment
 * servers, and only then registers the version in the DM. Any problem stops it before the DM
 * hears of the version.
 */
public final class ManifestPublisher {
  private final DeploymentClient deployment;
  private final DmClient dm;

  /** A publisher uploading through {@code deployment} and registering in {@code dm}. */
  public ManifestPublisher(DeploymentClient deployment, DmClient dm) {
    this.deployment = deployment;
    this.dm = dm;
  }

  /** Reads and checks a manifest and its sources without uploading anything. */
  public static Manifest check(Path manifestFile) throws ManifestException {
    Manifest m = ManifestParser.parse(manifestFile);
    List<String> problems = new ArrayList<>();
    Path base = manifestFile.toAbsolutePath().getParent();
    for (ManifestFile f : m.files()) {
      if (f.source() == null) {
        continue;
      }
      Path src = base.resolve(SafePath.check(f.source(), "source")).normalize();
      try {
        if (!Files.isRegularFile(src)) {
          problems.add(f.path() + ": source " + f.source() + " is not a file");
        } else if (Files.size(src) != f.size()) {
          problems.add(f.path() + ": source " + f.source() + " has " + Files.size(src)
              + " bytes, the manifest says " + f.size());
        } else if (!sha256(src).equals(f.sha256())) {
          problems.add(f.path() + ": source " + f.source() + " hashes to " + sha256(src)
              + ", the manifest says " + f.sha256());
        }
      } catch (IOException e) {
        problems.add(f.path() + ": cannot read source " + f.source() + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ManifestException(manifestFile.toString(), 0, 0, "files", String.join("; ", problems));
    }
    return m;
  }

  /** Checks, uploads and registers {@code manifestFile}; the DM's answer. */
  public CommandResult publish(Path manifestFile, ManifestVersion.Origin origin, String cause)
      throws ManifestException, IOException, InterruptedException {
    Manifest m = check(manifestFile);
    Path base = manifestFile.toAbsolutePath().getParent();
    for (ManifestFile f : m.files()) {
      if (f.source() != null) {
        deployment.upload(f.sha256(), base.resolve(f.source()).normalize());
      }
    }
    return dm.send(new RegisterManifest(m, origin, cause));
  }

  /** Hex SHA-256 of a file. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        d.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
