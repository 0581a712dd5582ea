package org.autopilot.manifests;

import java.util.regex.Pattern;

/**
 * One file a manifest installs.
 *
 * @param path where it goes, relative to the manifest's root and inside one app's directory
 * @param sha256 SHA-256 of its content, 64 lower-case hex digits; the content's only name
 * @param size its size in bytes, 0 to {@link #MAX_SIZE}
 * @param mode Unix permission bits in octal, e.g. {@code 0755}; default {@code 0644}
 * @param source where the deployment service finds the content when it ingests the manifest
 *     (a path relative to the manifest in its repository), or null when the content is already
 *     in the deployment store
 */
public record ManifestFile(String path, String sha256, long size, String mode, String source) {
  /** Largest file a manifest may name. */
  public static final long MAX_SIZE = 16L << 30;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern MODE = Pattern.compile("0?[0-7]{3}");

  /** Validates every field; see the parameter descriptions. */
  public ManifestFile {
    SafePath.check(path, "file path");
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 of " + path + " must be 64 lower-case hex digits, got '"
          + sha256 + "'");
    }
    if (size < 0 || size > MAX_SIZE) {
      throw new IllegalArgumentException("size of " + path + " must be 0.." + MAX_SIZE);
    }
    mode = mode == null ? "0644" : mode;
    if (!MODE.matcher(mode).matches()) {
      throw new IllegalArgumentException("mode of " + path + " must be octal like 0644, got '" + mode + "'");
    }
    mode = mode.length() == 3 ? "0" + mode : mode;
    if (source != null) {
      SafePath.check(source, "source of " + path);
    }
  }

  /** The permission bits as a number. */
  public int modeBits() {
    return Integer.parseInt(mode, 8);
  }

  /** True if the owner may execute it. */
  public boolean executable() {
    return (modeBits() & 0100) != 0;
  }
}
