package org.autopilot.manifests;

/**
 * Relative paths that cannot leave the directory they are resolved in: no leading {@code /}, no
 * {@code .} or {@code ..} segment, no empty segment, no backslash or control character, at most
 * 255 characters. Checked where a path enters the system; the app-manager checks again where a
 * path meets the disk.
 */
public final class SafePath {
  /** Longest accepted path. */
  public static final int MAX_LENGTH = 255;

  private SafePath() {}

  /** Returns {@code path} if it is safe, else throws naming {@code what}. */
  public static String check(String path, String what) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    if (path.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_LENGTH + " characters");
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException(what + " '" + path + "' is absolute; it must be relative");
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' || c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(what + " '" + printable(path)
            + "' contains a backslash or control character");
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(what + " '" + path
            + "' has an empty, '.' or '..' segment; it must stay inside its directory");
      }
    }
    return path;
  }

  /** True if {@code path} is {@code dir} itself or lies below it (both already checked). */
  public static boolean within(String path, String dir) {
    return path.equals(dir) || path.startsWith(dir + "/");
  }

  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
