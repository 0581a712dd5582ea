package org.autopilot.manifests;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One app of a manifest: a directory holding its binaries, config and start script, and how to
 * run it. The app-manager runs {@code start} with {@code sh -c} in that directory, restarts it
 * when it exits, and stops it with SIGTERM, then SIGKILL after {@code stopTimeout}.
 *
 * @param name app name, unique in the manifest
 * @param directory the app's directory, relative to the manifest root
 * @param start the start command, run in {@code directory}
 * @param env extra environment variables, sorted by name
 * @param stopTimeout grace between SIGTERM and SIGKILL, default {@code 10s}, at most 10 minutes
 * @param health optional health check
 */
public record AppSpec(String name, String directory, String start, SortedMap<String, String> env,
    String stopTimeout, HealthCheck health) {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  /** Most environment variables per app. */
  public static final int MAX_ENV = 64;

  /** Validates every field; see the parameter descriptions. */
  public AppSpec {
    if (name == null || !ManifestRef.NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("app name '" + name + "' must match " + ManifestRef.NAME);
    }
    SafePath.check(directory, "directory of app " + name);
    if (start == null || start.isBlank() || start.length() > 4096) {
      throw new IllegalArgumentException("start command of app " + name
          + " is missing or longer than 4096 characters");
    }
    TreeMap<String, String> sorted = new TreeMap<>(env == null ? Map.of() : env);
    if (sorted.size() > MAX_ENV) {
      throw new IllegalArgumentException("app " + name + " has more than " + MAX_ENV + " env entries");
    }
    sorted.forEach((k, v) -> {
      if (!ENV_NAME.matcher(k).matches()) {
        throw new IllegalArgumentException("env name '" + k + "' of app " + name + " must match " + ENV_NAME);
      }
      if (v == null || v.length() > 4096) {
        throw new IllegalArgumentException("env " + k + " of app " + name + " is missing or too long");
      }
    });
    env = Collections.unmodifiableSortedMap(sorted);
    stopTimeout = stopTimeout == null ? "10s" : stopTimeout;
    Duration d = Durations.parse(stopTimeout, "stopTimeout of app " + name);
    if (d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("stopTimeout of app " + name + " is longer than 10m");
    }
  }

  /** The stop timeout as a duration. */
  public Duration stopGrace() {
    return Durations.parse(stopTimeout, "stopTimeout");
  }
}
