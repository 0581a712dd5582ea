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
 * @param peerPort port on which this machine serves what it holds to other machines (peer
 *     fetching through the deployment servers' tracker); 0 = any free port, -1 = off
 * @param watchdogs how the watchdogs run and where their reports go; never null, its paths
 *     resolved against {@code home}
 * @param collection where counters and logs are shipped; null: they are not
 * @param caFile PEM bundle of the CAs this agent trusts for {@code https://} DM, deployment,
 *     watchdog and collection URLs (hostname verification on); null: the JDK's CAs
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
    Duration crashLoopWindow,
    int peerPort,
    WatchdogConfig watchdogs,
    CollectionConfig collection,
    Path caFile) {

  /** Validates. */
  public AgentConfig {
    if (machineId == null || dmUrls == null || dmUrls.isEmpty() || dmToken == null || home == null) {
      throw new IllegalArgumentException("machineId, dmUrls, dmToken and home are required");
    }
    sources = sources == null ? List.of() : List.copyOf(sources);
    if (crashLoopRestarts < 1) {
      throw new IllegalArgumentException("crashLoopRestarts must be at least 1");
    }
    watchdogs = (watchdogs == null ? WatchdogConfig.DEFAULTS : watchdogs).under(home);
  }

  /** Defaults for everything but identity and addresses. */
  public static AgentConfig of(String machineId, List<String> dmUrls, String dmToken, Path home,
      List<URI> sources) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, 0, Duration.ofSeconds(30),
        Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(10), 5,
        Duration.ofMinutes(2), -1, null, null, null);
  }

  /**
   * Reads {@code agent.yaml} strictly (unknown keys refused; durations like {@code 30s}):
   * {@code machineId, dmUrls, dmToken | dmTokenFile, home, sources, downlinkBytesPerSecond,
   * watchWait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts,
   * crashLoopWindow, peerPort, caFile, watchdogs: {dir, interval, scriptTimeout, diskPath, report,
   * diskWarnPercent, diskErrorPercent, memoryWarnPercent, memoryErrorPercent, manifestRehash},
   * collection: {urls, interval, maxBatchSamples, maxBatchLogs, bufferSamples, bufferLogs, timeout}}.
   * Relative paths are resolved against the file's directory.
   */
  public static AgentConfig load(Path file) throws java.io.IOException {
    org.yaml.snakeyaml.LoaderOptions limits = new org.yaml.snakeyaml.LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setCodePointLimit(1 << 16);
    com.fasterxml.jackson.databind.ObjectMapper yaml =
        com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder(
                com.fasterxml.jackson.dataformat.yaml.YAMLFactory.builder().loaderOptions(limits).build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    File f;
    try {
      f = yaml.readValue(java.nio.file.Files.readAllBytes(file), File.class);
    } catch (java.io.IOException e) {
      throw new java.io.IOException(file + ": " + e.getMessage(), e);
    }
    if (f == null) {
      throw new java.io.IOException(file + ": empty configuration");
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      String token = f.dmToken;
      if (token == null && f.dmTokenFile != null) {
        try {
          token = readToken(base.resolve(f.dmTokenFile));
        } catch (java.io.IOException e) {
          throw new java.io.IOException(file + ": dmTokenFile: " + e, e);
        }
      }
      AgentConfig d = of(f.machineId, f.dmUrls, token, f.home == null ? null : base.resolve(f.home),
          f.sources == null ? List.of() : f.sources.stream().map(URI::create).toList());
      return new AgentConfig(d.machineId, d.dmUrls, d.dmToken, d.home, d.sources,
          f.downlinkBytesPerSecond == null ? 0 : f.downlinkBytesPerSecond,
          dur(f.watchWait, "watchWait", d.watchWait), dur(f.restartBackoff, "restartBackoff", d.restartBackoff),
          dur(f.maxRestartBackoff, "maxRestartBackoff", d.maxRestartBackoff),
          dur(f.stableAfter, "stableAfter", d.stableAfter),
          f.crashLoopRestarts == null ? d.crashLoopRestarts : f.crashLoopRestarts,
          dur(f.crashLoopWindow, "crashLoopWindow", d.crashLoopWindow),
          f.peerPort == null ? -1 : f.peerPort, watchdogs(f.watchdogs, base), collection(f.collection),
          f.caFile == null ? null : base.resolve(f.caFile));
    } catch (IllegalArgumentException e) {
      throw new java.io.IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Longest token file read. */
  static final int MAX_TOKEN_BYTES = 4096;

  /** The token in {@code file}, trimmed; a file larger than {@link #MAX_TOKEN_BYTES} is refused. */
  private static String readToken(Path file) throws java.io.IOException {
    byte[] b;
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      b = in.readNBytes(MAX_TOKEN_BYTES + 1);
    }
    if (b.length > MAX_TOKEN_BYTES) {
      throw new java.io.IOException("dmTokenFile " + file + " is larger than " + MAX_TOKEN_BYTES
          + " bytes; it should hold one token");
    }
    return new String(b, java.nio.charset.StandardCharsets.UTF_8).trim();
  }

  private static Duration dur(String text, String key, Duration dflt) {
    return text == null ? dflt : org.autopilot.manifests.Durations.parse(text, key);
  }

  private static WatchdogConfig watchdogs(Watchdogs w, Path base) {
    WatchdogConfig d = WatchdogConfig.DEFAULTS;
    if (w == null) {
      return d;
    }
    return new WatchdogConfig(w.dir == null ? null : base.resolve(w.dir),
        dur(w.interval, "watchdogs.interval", d.interval()),
        dur(w.scriptTimeout, "watchdogs.scriptTimeout", d.scriptTimeout()),
        w.diskPath == null ? null : base.resolve(w.diskPath),
        w.report == null ? List.of() : w.report.stream().map(URI::create).toList(),
        new org.autopilot.watchdogs.builtin.Thresholds(
            w.diskWarnPercent == null ? d.disk().warnBelow() : w.diskWarnPercent,
            w.diskErrorPercent == null ? d.disk().errorBelow() : w.diskErrorPercent),
        new org.autopilot.watchdogs.builtin.Thresholds(
            w.memoryWarnPercent == null ? d.memory().warnBelow() : w.memoryWarnPercent,
            w.memoryErrorPercent == null ? d.memory().errorBelow() : w.memoryErrorPercent),
        dur(w.manifestRehash, "watchdogs.manifestRehash", d.manifestRehash()));
  }

  private static CollectionConfig collection(Collection c) {
    if (c == null) {
      return null;
    }
    if (c.urls == null || c.urls.isEmpty()) {
      throw new IllegalArgumentException("collection.urls: at least one collection service URL is needed");
    }
    CollectionConfig d = CollectionConfig.of(c.urls.stream().map(URI::create).toList());
    return new CollectionConfig(d.urls(), dur(c.interval, "collection.interval", d.interval()),
        c.maxBatchSamples == null ? d.maxBatchSamples() : c.maxBatchSamples,
        c.maxBatchLogs == null ? d.maxBatchLogs() : c.maxBatchLogs,
        c.bufferSamples == null ? d.bufferSamples() : c.bufferSamples,
        c.bufferLogs == null ? d.bufferLogs() : c.bufferLogs, dur(c.timeout, "collection.timeout", d.timeout()));
  }

  /** The file form of the {@code collection:} section. */
  private record Collection(List<String> urls, String interval, Integer maxBatchSamples,
      Integer maxBatchLogs, Integer bufferSamples, Integer bufferLogs, String timeout) {}

  /** The file form of the configuration. */
  private record File(String machineId, List<String> dmUrls, String dmToken, String dmTokenFile,
      String home, List<String> sources, Long downlinkBytesPerSecond, String watchWait,
      String restartBackoff, String maxRestartBackoff, String stableAfter,
      Integer crashLoopRestarts, String crashLoopWindow, Integer peerPort, Watchdogs watchdogs,
      Collection collection, String caFile) {}

  /** The file form of the {@code watchdogs:} section. */
  private record Watchdogs(String dir, String interval, String scriptTimeout, String diskPath,
      List<String> report, Double diskWarnPercent, Double diskErrorPercent,
      Double memoryWarnPercent, Double memoryErrorPercent, String manifestRehash) {}

  /** A copy with different restart timing (tests and the demo use short ones). */
  public AgentConfig withRestartTiming(Duration backoff, Duration maxBackoff, Duration stable) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, backoff, maxBackoff, stable, crashLoopRestarts, crashLoopWindow, peerPort,
        watchdogs, collection, caFile);
  }

  /** A copy with a different watch wait. */
  public AgentConfig withWatchWait(Duration wait) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        wait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts, crashLoopWindow,
        peerPort, watchdogs, collection, caFile);
  }

  /** A copy serving peers on {@code port} (0 = any free one, -1 = off). */
  public AgentConfig withPeerPort(int port) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts,
        crashLoopWindow, port, watchdogs, collection, caFile);
  }

  /** A copy with other watchdog settings (paths not given resolve against {@code home}). */
  public AgentConfig withWatchdogs(WatchdogConfig w) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts,
        crashLoopWindow, peerPort, w, collection, caFile);
  }

  /** A copy shipping counters and logs as {@code c} says (null: not at all). */
  public AgentConfig withCollection(CollectionConfig c) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts,
        crashLoopWindow, peerPort, watchdogs, c, caFile);
  }

  /** A copy trusting the CAs in {@code file} (PEM) for {@code https://} URLs (null: the JDK's CAs). */
  public AgentConfig withCaFile(Path file) {
    return new AgentConfig(machineId, dmUrls, dmToken, home, sources, downlinkBytesPerSecond,
        watchWait, restartBackoff, maxRestartBackoff, stableAfter, crashLoopRestarts,
        crashLoopWindow, peerPort, watchdogs, collection, file);
  }
}
