package org.autopilot.watchdogs.builtin;

import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code heartbeat} watchdog: OK in every round the agent runs. Its absence is what tells:
 * whoever receives the reports (the watchdog service, or the DM's keep-alive) turns missing
 * heartbeats into an Error of its own.
 */
public final class HeartbeatWatchdog implements Watchdog {
  /** The name in reports. */
  public static final String NAME = "heartbeat";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    return new WatchdogResult(Health.OK, "heartbeat OK: agent alive", "", List.of(), List.of());
  }
}
