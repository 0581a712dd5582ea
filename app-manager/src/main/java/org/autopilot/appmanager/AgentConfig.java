package org.autopilot.appmanager;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one app-manager runs. See {@code docs/app-manager.md}.
 *
 * @param machineId the machine it runs on, as registered in the DM
 * @param dmUrls API base URLs of the DM replicas ({@code http://host:port/api/v1})
 * @param dmToken this machine's token ({@code machine:<id>:<mac>})
 * @param home the agent's directory: manifests, content store, pid files, logs
 * @param sources deployment servers (base URLs) to fetch files from, tried in random order
 * @param downlinkBytesPerSecond download cap, 0 = none
 * @param watchWait how long one DM watch query may block
 * @param restartBackoff first delay before restarting a crashed app; doubles per crash
 * @param maxRestartBackoff longest delay between restarts
 * @param stableAfter an app running this long counts as up; its crash count starts over
 * @param crashLoopRestarts restarts inside {@code crashLoopWindow} that make a crash loop
 * @param crashLoopWindow the window for {@code crashLoopRestarts}
 */
public record AgentConfig(
    String machineId,
    List<String> dmUrls,
    String dmToken,
    Path home,
    List<URI> sources,
    long downlinkBytesPerSecond,
    Duration watchWait,
    Duration restartBackoff,
    Duration maxRestartBackoff,
    Duration stableAfter,
    int crashLoopRestarts,
    Duration crashLoopWindow) {

  /** Validates. */
  public AgentConfig {
    if (machineId == null || dmUrls == null || dmUrls.isEmpty() || dmToken == null || home == null) {
      throw new IllegalArgumentException("machineId, dmUrls, dmToken and home are required");
    }
    sources = sources == null ? List.of() : List.copyOf(sources);
    if (crashLoopRestarts < 1) {
      throw new IllegalArgumentException("crashLoopRestarts must be at least 1");
    }
  }

  /** Defaults for everything but identity and addresses. */
  public static AgentConfig of(String machineId, List<String> dmUrls, String dmToken, Path home,
      List<URI> sources) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, 0, Duration.ofSeconds(30),
        Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(10), 5,
        Duration.ofMinutes(2));
  }

  /** A copy with different restart timing (tests and the demo use short ones). */
  public AgentConfig withRestartTiming(Duration backoff, Duration maxBackoff, Duration stable) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, backoff, maxBackoff, stable, crashLoopRestarts, crashLoopWindow);
  }

  /** A copy with a different watch wait. */
  public AgentConfig withWatchWait(Duration wait) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        wait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts, crashLoopWindow);
  }
}
