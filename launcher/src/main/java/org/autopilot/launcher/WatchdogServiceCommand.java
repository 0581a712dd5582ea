package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.autopilot.watchdogs.service.WatchdogService;
import org.autopilot.watchdogs.service.WatchdogServiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot watchdog-service --config watchdog-service.yaml}: one watchdog service replica. */
@Command(name = "watchdog-service", mixinStandardHelpOptions = true,
    description = "Runs a watchdog service replica: takes machines' watchdog reports, forwards "
        + "changes to the DM, judges heartbeats and probes machines over SSH while it holds the "
        + "lease (see docs/watchdog-service.md).")
final class WatchdogServiceCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "watchdog-service.yaml") Path config;

  @Override
  public Integer call() throws Exception {
    WatchdogServiceConfig c = WatchdogServiceConfig.load(config);
    WatchdogService s = WatchdogService.start(c, InstantSource.system());
    return Foreground.runUntilStopped("watchdog-service", s, "watchdog service " + c.id()
        + " on " + s.url() + (c.probeInterval() == null ? " (probe off)" : ""));
  }
}
