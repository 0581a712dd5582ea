package org.autopilot.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The demo's manifest repository ({@code demo-data/manifests-repo}): a real git repository the
 * deployment service ingests, created on first start with version 1 of the example manifests
 * under {@code manifests/}. Commit to it (with git or {@code ./autopilot demo-commit}) and the
 * fleet follows.
 */
final class DemoRepo {
  private DemoRepo() {}

  /**
   * Creates the repository with its first commit unless it exists; its path. The machine-type
   * rules ({@code machine-types.yaml}, at the root: outside the ingest's {@code manifests/}) are
   * committed too, also into a repository made before the demo had them.
   */
  static Path ensure(Path dir, Path examples, String machineTypes) throws Exception {
    if (Files.isDirectory(dir.resolve(".git"))) {
      if (!Files.exists(dir.resolve("machine-types.yaml"))) {
        Files.writeString(dir.resolve("machine-types.yaml"), machineTypes);
        commit(dir, "machine types by rules\n\nProvisioning types the machines it discovers by these.");
      }
      return dir;
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("machine-types.yaml"), machineTypes);
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    copyTree(examples.resolve("files"), manifests.resolve("files"));
    Files.copy(examples.resolve("web-v1.yaml"), manifests.resolve("web.yaml"));
    Files.copy(examples.resolve("db-v1.yaml"), manifests.resolve("db.yaml"));
    commit(dir, "web v1 and db v1, machine types\n\nThe demo's first release.");
    return dir;
  }

  /** Copies {@code example} (e.g. {@code web-v2.yaml}) over its manifest and commits it. */
  static String commitExample(Path dir, Path examples, String example) throws Exception {
    String name = example.replaceFirst("-v[0-9]+\\.yaml$", "");
    Files.copy(examples.resolve(example), dir.resolve("manifests").resolve(name + ".yaml"),
        StandardCopyOption.REPLACE_EXISTING);
    return commit(dir, name + ": " + example);
  }

  private static String commit(Path dir, String message) throws Exception {
    try (Git git = Files.isDirectory(dir.resolve(".git")) ? Git.open(dir.toFile())
        : Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent demo = new PersonIdent("autopilot demo", "demo@autopilot.invalid");
      return git.commit().setMessage(message).setAuthor(demo).setCommitter(demo).call().getName();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
