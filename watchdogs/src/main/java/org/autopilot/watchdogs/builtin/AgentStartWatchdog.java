package org.autopilot.watchdogs.builtin;

import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code agent} watchdog: OK, naming when this run of the agent started. Its text changes
 * exactly when the agent (re)starts, so the DM records one change per start whoever forwards the
 * reports (the watchdog service and the direct reporter pass only changes on): the firm sign,
 * for provisioning, that the agent it just installed and restarted is up.
 */
public final class AgentStartWatchdog implements Watchdog {
  /** The name in reports. */
  public static final String NAME = "agent";
  private final String text;

  /** For an agent that started at {@code started} (epoch milliseconds keep restarts apart). */
  public AgentStartWatchdog(Instant started) {
    this.text = "app-manager up since " + started;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    return new WatchdogResult(Health.OK, text, "", List.of(), List.of());
  }
}
