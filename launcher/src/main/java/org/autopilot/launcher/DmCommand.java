package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.server.DmConfig;
import org.autopilot.devicemanager.server.DmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot dm --config dm.yaml}: runs one Device Manager replica until stopped. */
@Command(name = "dm", mixinStandardHelpOptions = true,
    description = "Runs one Device Manager replica (see docs/device-manager.md for dm.yaml).")
final class DmCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "dm.yaml")
  Path config;

  @Override
  public Integer call() throws Exception {
    DmConfig c = DmConfig.load(config);
    DmServer server = DmServer.start(c, InstantSource.system());
    return Foreground.runUntilStopped("dm", server,
        "DM API: " + server.apiUrl() + "  (replica " + c.id() + ", data " + c.dataDir() + ")");
  }
}
