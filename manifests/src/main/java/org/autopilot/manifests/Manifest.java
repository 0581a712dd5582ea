package org.autopilot.manifests;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one version of a machine type runs: files, each inside one app's directory, and the apps.
 * Valid by construction: a constructor call with bad content throws with a message naming the
 * field.
 *
 * @param name manifest name
 * @param version version label; {@code name@version} is immutable once registered
 * @param machineType machine type it is meant for, or null for any
 * @param files the files, paths unique, each within exactly one app directory
 * @param apps the apps, names unique, directories not nested in one another
 * @param rollout rollout settings, never null (defaults when absent)
 */
public record Manifest(String name, String version, String machineType, List<ManifestFile> files,
    List<AppSpec> apps, RolloutSettings rollout) {
  /** Most files in one manifest. */
  public static final int MAX_FILES = 10_000;
  /** Most apps in one manifest. */
  public static final int MAX_APPS = 64;

  /** Validates the whole document. */
  public Manifest {
    ManifestRef ref = new ManifestRef(name, version);
    if (machineType != null && !ManifestRef.NAME.matcher(machineType).matches()) {
      throw new IllegalArgumentException("machineType '" + machineType + "' must match "
          + ManifestRef.NAME);
    }
    files = files == null ? List.of() : List.copyOf(files);
    apps = apps == null ? List.of() : List.copyOf(apps);
    if (apps.isEmpty()) {
      throw new IllegalArgumentException(ref + " has no apps");
    }
    if (files.size() > MAX_FILES || apps.size() > MAX_APPS) {
      throw new IllegalArgumentException(ref + " has more than " + MAX_FILES + " files or "
          + MAX_APPS + " apps");
    }
    Set<String> names = new HashSet<>();
    for (AppSpec a : apps) {
      if (!names.add(a.name())) {
        throw new IllegalArgumentException("app " + a.name() + " appears twice");
      }
      for (AppSpec b : apps) {
        if (a != b && SafePath.within(a.directory(), b.directory())) {
          throw new IllegalArgumentException("directory " + a.directory() + " of app " + a.name()
              + " lies inside directory " + b.directory() + " of app " + b.name());
        }
      }
    }
    Set<String> paths = new HashSet<>();
    for (ManifestFile f : files) {
      if (!paths.add(f.path())) {
        throw new IllegalArgumentException("file " + f.path() + " appears twice");
      }
      if (appOf(apps, f) == null) {
        throw new IllegalArgumentException("file " + f.path()
            + " is not inside any app directory " + apps.stream().map(AppSpec::directory).toList());
      }
      if (apps.stream().anyMatch(a -> a.directory().equals(f.path()))) {
        throw new IllegalArgumentException("file " + f.path() + " is an app directory itself");
      }
    }
    rollout = rollout == null ? new RolloutSettings(null, null) : rollout;
  }

  /** {@code name@version}. */
  public ManifestRef ref() {
    return new ManifestRef(name, version);
  }

  /** The files of one app. */
  public List<ManifestFile> filesOf(AppSpec app) {
    return files.stream().filter(f -> SafePath.within(f.path(), app.directory())).toList();
  }

  /** Total bytes of all files. */
  public long totalBytes() {
    return files.stream().mapToLong(ManifestFile::size).sum();
  }

  private static AppSpec appOf(List<AppSpec> apps, ManifestFile f) {
    return apps.stream().filter(a -> SafePath.within(f.path(), a.directory())).findFirst().orElse(null);
  }
}
