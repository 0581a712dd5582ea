package org.autopilot.deployment;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real git repository in a test directory, committed to with JGit. */
public final class GitRepo implements AutoCloseable {
  private final Git git;
  private final Path dir;

  /** A new repository with branch {@code main}. */
  public GitRepo(Path dir) throws Exception {
    this.dir = dir;
    this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
  }

  /** Its path (what the ingest is pointed at). */
  public Path dir() {
    return dir;
  }

  /** Writes a file (creating directories). */
  public GitRepo write(String path, String content) throws Exception {
    Path p = dir.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return this;
  }

  /**
   * Writes a one-app manifest {@code name@version} for machine type {@code type} whose start
   * script is {@code script}, with the script next to it.
   */
  public GitRepo manifest(String name, String version, String type, String script, String bake)
      throws Exception {
    String body = "#!/bin/sh\n" + script + "\n";
    String file = "files/" + name + "-" + version + ".sh";
    write("manifests/" + file, body);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    return write("manifests/" + name + ".yaml", """
        name: %s
        version: "%s"
        machineType: %s
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
        rollout: {threshold: 100, bake: %s}
        """.formatted(name, version, type, sha, bytes.length, file, bake));
  }

  /** Commits everything as Ada; the commit. */
  public RevCommit commit(String message) throws Exception {
    git.add().addFilepattern(".").call();
    PersonIdent ada = new PersonIdent("Ada", "ada@example.org");
    return git.commit().setMessage(message).setAuthor(ada).setCommitter(ada).call();
  }

  @Override
  public void close() {
    git.close();
  }
}
