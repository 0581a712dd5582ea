package org.autopilot.launcher;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.autopilot.appmanager.AgentConfig;
import org.autopilot.appmanager.AgentFaults;
import org.autopilot.appmanager.AppManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot agent --config agent.yaml}: the app-manager daemon on a real host. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Runs the app-manager daemon of this machine (see docs/app-manager.md); "
        + "stopping it leaves the apps running, the next start adopts them.")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "agent.yaml") Path config;

  @Override
  public Integer call() throws Exception {
    AgentConfig c = AgentConfig.load(config);
    AppManager agent = new AppManager(c, InstantSource.system(), new SecureRandom(), AgentFaults.NONE)
        .start();
    return Foreground.runUntilStopped("agent", agent,
        "app-manager of " + c.machineId() + " running; home " + c.home());
  }
}
