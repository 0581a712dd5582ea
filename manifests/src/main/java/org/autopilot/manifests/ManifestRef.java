package org.autopilot.manifests;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * One version of one manifest, written {@code name@version}. Versions are immutable: the same
 * reference always means the same document.
 *
 * @param name manifest name, lower-case letters, digits and dashes
 * @param version version label, e.g. {@code 2} or {@code 2026.11.22-1}
 */
public record ManifestRef(String name, String version) implements Comparable<ManifestRef> {
  /** What a manifest name may look like. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  /** What a version label may look like. */
  public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Rejects a malformed name or version. */
  public ManifestRef {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("manifest name '" + name + "' must match " + NAME);
    }
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("version '" + version + "' must match " + VERSION);
    }
  }

  /** Reads {@code name@version}. */
  @JsonCreator
  public static ManifestRef parse(String text) {
    int at = text == null ? -1 : text.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("manifest reference '" + text + "' is not name@version");
    }
    return new ManifestRef(text.substring(0, at), text.substring(at + 1));
  }

  @JsonValue
  @Override
  public String toString() {
    return name + "@" + version;
  }

  @Override
  public int compareTo(ManifestRef o) {
    return toString().compareTo(o.toString());
  }
}
