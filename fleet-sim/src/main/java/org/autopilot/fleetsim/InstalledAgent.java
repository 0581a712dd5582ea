package org.autopilot.fleetsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.autopilot.appmanager.AgentConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of a machine that is provisioned for real: at boot it starts the app-manager only if
 * its configuration has been installed on the machine's disk ({@value #CONFIG}, the file
 * provisioning writes, read with {@link AgentConfig#load}, relative paths against its
 * directory); a bare or freshly reimaged machine runs nothing. Faults reach the app-manager as
 * with {@link AppManagerAgent}.
 */
public final class InstalledAgent implements MachineAgent {
  /** Where on the machine's disk the app-manager's configuration is installed. */
  public static final String CONFIG = "etc/autopilot/agent.yaml";
  private static final Logger LOG = LoggerFactory.getLogger(InstalledAgent.class);
  private AppManagerAgent running;

  @Override
  public synchronized void start(SimulatedMachine machine) {
    Path file = machine.disk().resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      LOG.info("{}: no agent installed ({} absent)", machine.id(), CONFIG);
      return;
    }
    AgentConfig config;
    try {
      config = AgentConfig.load(file);
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: the installed agent configuration is unusable: {}", machine.id(), e.getMessage());
      return;
    }
    running = new AppManagerAgent(m -> config);
    running.start(machine);
  }

  /** The app-manager agent while it runs, or null. */
  public synchronized AppManagerAgent running() {
    return running;
  }

  @Override
  public synchronized void stop() {
    if (running != null) {
      running.stop();
      running = null;
    }
  }
}
