package org.autopilot.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code autopilot demo-commit web-v2.yaml}: commits an example manifest to the demo's repository. */
@Command(name = "demo-commit", mixinStandardHelpOptions = true,
    description = "Commits an example manifest (from manifests/examples) to the running demo's git "
        + "repository, as an operator's commit would; the deployment service ingests and rolls it out.")
final class DemoCommitCommand implements Callable<Integer> {
  @Parameters(paramLabel = "EXAMPLE", description = "e.g. web-v2.yaml, web-v1.yaml, db-v1.yaml") String example;
  @Option(names = "--data", defaultValue = "demo-data", description = "the demo's data directory") Path data;

  @Override
  public Integer call() throws Exception {
    Path examples = Path.of("manifests", "examples");
    Path repo = data.resolve("manifests-repo");
    if (!Files.isRegularFile(examples.resolve(example)) || !Files.isDirectory(repo.resolve(".git"))) {
      System.err.println("need manifests/examples/" + example + " and a demo repository in " + repo
          + " (run ./autopilot demo first, from the checkout)");
      return 1;
    }
    String commit = DemoRepo.commitExample(repo, examples, example);
    System.out.println("committed " + example + " as " + commit.substring(0, 12) + " in " + repo
        + "; watch it roll out: ./autopilot rollout status --watch");
    return 0;
  }
}
