package org.autopilot.launcher;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.autopilot.deployment.DeploymentService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot deployment --config deployment.yaml}: one deployment service instance. */
@Command(name = "deployment", mixinStandardHelpOptions = true,
    description = "Runs a deployment server replica, and the git ingest and rollout driver if "
        + "configured (see docs/deployment.md).")
final class DeploymentCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "deployment.yaml") Path config;

  @Override
  public Integer call() throws Exception {
    DeploymentService s = DeploymentService.start(config);
    return Foreground.runUntilStopped("deployment", s, "deployment service on " + s.uri());
  }
}
