package org.autopilot.devicemanager.model;

import java.time.Instant;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestRef;

/**
 * A registered, immutable manifest version.
 *
 * @param manifest the validated document
 * @param digest SHA-256 of the document's canonical JSON, 64 hex digits
 * @param origin where it came from (commit, author, message), or null when registered by hand
 * @param registeredRevision DM revision that registered it
 * @param registeredAt leader time of that revision
 */
public record ManifestVersion(Manifest manifest, String digest, Origin origin,
    long registeredRevision, Instant registeredAt) {

  /** {@code name@version}. */
  public ManifestRef ref() {
    return manifest.ref();
  }

  /**
   * The commit a manifest version came from.
   *
   * @param commit commit id, at most 64 characters
   * @param author author, at most 256 characters
   * @param message commit message, at most 4096 characters
   * @param path the manifest's path in the repository, at most 255 characters
   */
  public record Origin(String commit, String author, String message, String path) {
    /** Validates the lengths. */
    public Origin {
      check(commit, 64, "commit");
      check(author, 256, "author");
      check(message, 4096, "message");
      check(path, 255, "path");
    }

    private static void check(String s, int max, String what) {
      if (s != null && s.length() > max) {
        throw new IllegalArgumentException("origin " + what + " is longer than " + max);
      }
    }
  }
}
