package org.autopilot.provisioning.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Where the machine-type rules are read from: a file, or a file in a branch of a git repository. */
public interface RulesSource {
  /** Reads the rules as they are now. */
  MachineTypeRules read() throws RulesException, IOException;

  /** For logs: where. */
  String describe();

  /** Rules in a local file (e.g. a checkout of the manifests repository). */
  static RulesSource file(Path file) {
    return new RulesSource() {
      @Override
      public MachineTypeRules read() throws RulesException, IOException {
        long size = Files.size(file);
        if (size > RulesParser.MAX_BYTES) {
          throw new RulesException(file.toString(), 0, 0, "is " + size + " bytes; at most " + RulesParser.MAX_BYTES);
        }
        return RulesParser.parse(Files.readAllBytes(file), file.getFileName().toString());
      }

      @Override
      public String describe() {
        return file.toString();
      }
    };
  }

  /**
   * The file {@code path} at the head of {@code branch} of the git repository at {@code url}
   * (anything JGit can fetch), fetched into a bare mirror at {@code mirror}; placements name the
   * commit ({@code machine-types.yaml@1a2b3c4d5e6f:12}).
   */
  static RulesSource git(String url, String branch, String path, Path mirror) {
    return new RulesSource() {
      @Override
      public MachineTypeRules read() throws RulesException, IOException {
        try (Git git = open(mirror)) {
          git.fetch().setRemote(url)
              .setRefSpecs(new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch)).call();
          Repository repo = git.getRepository();
          ObjectId head = repo.resolve("refs/heads/" + branch);
          if (head == null) {
            throw new IOException(url + " has no branch " + branch);
          }
          try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(head);
            String name = path + "@" + c.getName().substring(0, 12);
            try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
              if (tw == null) {
                throw new RulesException(name, 0, 0, "is not in commit " + c.getName().substring(0, 12)
                    + " of " + branch);
              }
              ObjectLoader blob = repo.open(tw.getObjectId(0));
              if (blob.getSize() > RulesParser.MAX_BYTES) {
                throw new RulesException(name, 0, 0, "is " + blob.getSize() + " bytes; at most "
                    + RulesParser.MAX_BYTES);
              }
              return RulesParser.parse(blob.getBytes(), name);
            }
          }
        } catch (GitAPIException e) {
          throw new IOException("cannot fetch " + branch + " of " + url + ": " + e.getMessage(), e);
        }
      }

      @Override
      public String describe() {
        return path + " in " + branch + "@" + url;
      }
    };
  }

  private static Git open(Path mirror) throws IOException, GitAPIException {
    if (Files.isDirectory(mirror.resolve("objects"))) {
      return Git.open(mirror.toFile());
    }
    Files.createDirectories(mirror);
    return Git.init().setBare(true).setDirectory(mirror.toFile()).call();
  }
}
