package org.autopilot.appmanager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code manifest} watchdog: every file of the running manifest is on disk with the size
 * and SHA-256 the manifest records. Each file is hashed in full at most every {@code rehash};
 * in between only files whose size or modification time changed since their last good hash are
 * hashed again, so a touched file is caught at once and an untouched one costs a {@code stat}.
 * A missing, changed or replaced file is Error, naming the files; no running manifest is OK.
 */
final class ManifestWatchdog implements Watchdog {
  /** The name in reports. */
  static final String NAME = "manifest";
  private static final int MAX_NAMED = 5;

  private final LocalManifests local;
  private final Supplier<ManifestRef> running;
  private final Duration rehash;
  private final InstantSource clock;
  private ManifestRef checked;
  private Manifest manifest;
  private final Map<String, Stamp> good = new HashMap<>();
  private Instant lastFull;

  /** What a file looked like when it last hashed right. */
  private record Stamp(long size, FileTime modified) {}

  ManifestWatchdog(LocalManifests local, Supplier<ManifestRef> running, Duration rehash,
      InstantSource clock) {
    this.local = local;
    this.running = running;
    this.rehash = rehash;
    this.clock = clock;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    ManifestRef ref = running.get();
    if (ref == null) {
      return result(Health.OK, "manifest OK: none running");
    }
    try {
      WatchdogResult r = check(ref);
      ManifestRef after = running.get();
      // A switch during the check may have removed the old files: look at the new one instead.
      return ref.equals(after) ? r : after == null ? result(Health.OK, "manifest OK: none running") : check(after);
    } catch (IOException | RuntimeException e) {
      return result(Health.UNKNOWN, "manifest UNKNOWN: cannot read " + ref + ": " + e.getMessage());
    }
  }

  private WatchdogResult check(ManifestRef ref) throws IOException {
    if (!ref.equals(checked)) {
      manifest = local.manifest(ref);
      checked = ref;
      good.clear();
      lastFull = null;
    }
    Instant now = clock.instant();
    boolean full = lastFull == null || !now.isBefore(lastFull.plus(rehash));
    Path root = local.root(ref);
    List<String> bad = new ArrayList<>();
    for (ManifestFile f : manifest.files()) {
      String problem = verify(root, f, full);
      if (problem != null) {
        good.remove(f.path());
        bad.add(f.path() + " (" + problem + ")");
      }
    }
    if (full) {
      lastFull = now;
    }
    int n = manifest.files().size();
    if (bad.isEmpty()) {
      return result(Health.OK, "manifest OK: " + ref + ", " + n + " files intact");
    }
    String named = String.join(", ", bad.subList(0, Math.min(MAX_NAMED, bad.size())))
        + (bad.size() > MAX_NAMED ? ", ..." : "");
    return result(Health.ERROR, "manifest ERROR: " + ref + ": " + bad.size() + " of " + n
        + " files differ: " + named);
  }

  /** What is wrong with one file, or null. */
  private String verify(Path root, ManifestFile f, boolean full) throws IOException {
    Path p = LocalManifests.inside(root, f.path());
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return "missing";
    }
    if (!a.isRegularFile()) {
      return "not a regular file";
    }
    if (a.size() != f.size()) {
      return a.size() + " bytes, not " + f.size();
    }
    Stamp now = new Stamp(a.size(), a.lastModifiedTime());
    if (!full && now.equals(good.get(f.path()))) {
      return null;
    }
    if (!ContentStore.sha256(p).equals(f.sha256())) {
      return "sha256 differs";
    }
    good.put(f.path(), now);
    return null;
  }

  private static WatchdogResult result(Health h, String text) {
    return new WatchdogResult(h, text, "", List.of(), List.of());
  }
}
