package org.autopilot.appmanager;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.filesync.ContentStore;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestFile;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.manifests.SafePath;

/**
 * The manifests on this machine's disk. Layout under {@code home}:
 * <pre>
 *   store/                       content-addressed blobs (filesync)
 *   manifests/NAME@VERSION/      one complete manifest: manifest.json and root/APPDIR/...
 *   manifests/.partial-REF/      one being installed (renamed into place when complete)
 *   current -> manifests/REF     the manifest whose apps run (swapped atomically)
 * </pre>
 * A manifest directory exists only once every file is fetched, verified and laid out, so what
 * is on disk is what is held.
 */
final class LocalManifests {
  private final Path home;
  private final Path manifests;
  private final ContentStore store;
  private final BlobSource fetcher;
  private final List<URI> sources;
  private final Random random;
  private final AgentFaults faults;

  /** Where blobs come from: a plain fetcher, or the swarm with the plain one as fallback. */
  @FunctionalInterface
  interface BlobSource {
    void fetch(String sha256, List<URI> sources) throws IOException, InterruptedException;
  }

  LocalManifests(Path home, ContentStore store, BlobSource fetcher, List<URI> sources,
      Random random, AgentFaults faults) throws IOException {
    this.home = home;
    this.manifests = Files.createDirectories(home.resolve("manifests"));
    this.store = store;
    this.fetcher = fetcher;
    this.sources = sources;
    this.random = random;
    this.faults = faults;
  }

  /** Manifests complete on disk. */
  synchronized Set<ManifestRef> held() throws IOException {
    Set<ManifestRef> out = new TreeSet<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(manifests)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (!name.startsWith(".") && Files.isRegularFile(d.resolve("manifest.json"))) {
          try {
            out.add(ManifestRef.parse(name));
          } catch (IllegalArgumentException ignored) {
            // not ours; left alone
          }
        }
      }
    }
    return out;
  }

  /** The document of a held manifest. */
  Manifest manifest(ManifestRef ref) throws IOException {
    return Json.lenient().readValue(dir(ref).resolve("manifest.json").toFile(), ManifestVersion.class)
        .manifest();
  }

  /** Where a manifest's files live: {@code manifests/REF/root}. */
  Path root(ManifestRef ref) {
    return dir(ref).resolve("root");
  }

  /** The directory of one app of a held manifest. */
  Path appDir(ManifestRef ref, String directory) {
    return inside(root(ref), SafePath.check(directory, "app directory"));
  }

  /**
   * Fetches every file of {@code v} (from the deployment servers in random order, each chunk
   * and file verified by SHA-256), lays them out with their modes in a fresh directory and
   * renames it into place. Nothing is held until everything is.
   */
  void install(ManifestVersion v) throws IOException, InterruptedException {
    ManifestRef ref = v.ref();
    Path partial = manifests.resolve(".partial-" + ref);
    deleteTree(partial);
    Path root = Files.createDirectories(partial.resolve("root"));
    Manifest m = v.manifest();
    for (ManifestFile f : m.files()) {
      if (!store.has(f.sha256())) {
        faults.network();
        List<URI> order = new ArrayList<>(sources);
        Collections.shuffle(order, random);
        fetcher.fetch(f.sha256(), order);
      }
      Path blob = store.path(f.sha256());
      if (Files.size(blob) != f.size()) {
        throw new IOException(ref + ": " + f.path() + " has " + Files.size(blob)
            + " bytes, the manifest says " + f.size());
      }
      Path target = inside(root, f.path());
      Files.createDirectories(target.getParent());
      refuseLinks(root, target.getParent());
      Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
      Files.setPosixFilePermissions(target, permissions(f.modeBits()));
    }
    for (var app : m.apps()) {
      Files.createDirectories(inside(root, app.directory()));
    }
    Json.mapper().writeValue(partial.resolve("manifest.json").toFile(), v);
    Path done = dir(ref);
    deleteTree(done);
    move(partial, done);
  }

  /** Deletes a manifest that is neither assigned nor running. */
  void remove(ManifestRef ref) throws IOException {
    deleteTree(dir(ref));
  }

  /** The manifest the {@code current} link points to, if any. */
  Optional<ManifestRef> current() throws IOException {
    Path link = home.resolve("current");
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    try {
      return Optional.of(ManifestRef.parse(Files.readSymbolicLink(link).getFileName().toString()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Points {@code current} at {@code ref} (or removes it for null) in one atomic rename. */
  void setCurrent(ManifestRef ref) throws IOException {
    Path link = home.resolve("current");
    if (ref == null) {
      Files.deleteIfExists(link);
      return;
    }
    Path tmp = home.resolve(".current-" + random.nextInt(1 << 30));
    Files.deleteIfExists(tmp);
    Files.createSymbolicLink(tmp, home.relativize(dir(ref)));
    move(tmp, link);
  }

  private Path dir(ManifestRef ref) {
    return manifests.resolve(ref.toString());
  }

  /** {@code base/relative}, refusing anything that would end up outside {@code base}. */
  static Path inside(Path base, String relative) {
    SafePath.check(relative, "path");
    Path p = base.resolve(relative).normalize();
    if (!p.startsWith(base.normalize()) || p.equals(base.normalize())) {
      throw new IllegalArgumentException("path '" + relative + "' leaves " + base);
    }
    return p;
  }

  /** Refuses a symbolic link anywhere between {@code base} and {@code dir}. */
  private static void refuseLinks(Path base, Path dir) throws IOException {
    for (Path p = dir; p != null && p.startsWith(base) && !p.equals(base); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw new IOException("refusing to write through symbolic link " + p);
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int bits) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ};
    for (int i = 0; i < order.length; i++) {
      if ((bits & (1 << i)) != 0) {
        out.add(order[i]);
      }
    }
    out.add(PosixFilePermission.OWNER_READ);
    return out;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
