package org.autopilot.cockpit.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Cockpit's users: a text file, one user per line, {@code name role bcrypt-hash}, separated by
 * blanks; {@code #} starts a comment. Names are lower-case ({@code [a-z][a-z0-9._-]{0,63}},
 * as the DM accepts them in {@code X-Autopilot-On-Behalf-Of}); roles are {@code viewer},
 * {@code operator}, {@code admin}; hashes are bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$},
 * e.g. from {@code java -jar cockpit.jar hash-password} or {@code htpasswd -nbBC 10 "" pw}).
 * Any malformed line stops Cockpit at start, naming the file and the line.
 */
public final class UsersFile {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}");

  /** A user's role; each includes the ones before it. */
  public enum Role {
    /** Sees everything, changes nothing. */
    VIEWER,
    /** Also acts: rollouts, silences, replaced machines, incidents. */
    OPERATOR,
    /** Everything an operator may (and whatever later needs more). */
    ADMIN
  }

  /**
   * One user.
   *
   * @param name login name, also recorded in the DM's audit trail
   * @param role what the user may do
   * @param bcrypt the password's bcrypt hash
   */
  public record User(String name, Role role, String bcrypt) {}

  private UsersFile() {}

  /** The users of {@code file}. */
  public static List<User> load(Path file) throws IOException {
    if (file == null) {
      throw new IllegalStateException("autopilot.users-file is not set: Cockpit needs a users file "
          + "(lines 'name role bcrypt-hash'; see docs/cockpit.md)");
    }
    return parse(Files.readAllLines(file), file.toString());
  }

  /** The users of the given lines; {@code where} names them in errors. */
  public static List<User> parse(List<String> lines, String where) {
    Map<String, User> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      // a bcrypt hash has no '#', so a comment starts at the first one
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (content.isEmpty()) {
        continue;
      }
      String at = where + ":" + (i + 1) + ": ";
      String[] f = content.split("\\s+");
      if (f.length != 3) {
        throw new IllegalArgumentException(at + "expected 'name role bcrypt-hash', found "
            + f.length + " field(s)");
      }
      if (!NAME.matcher(f[0]).matches()) {
        throw new IllegalArgumentException(at + "user name '" + f[0] + "' must match " + NAME.pattern());
      }
      Role role;
      try {
        role = Role.valueOf(f[1].toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + "role '" + f[1] + "' must be viewer, operator or admin");
      }
      if (!BCRYPT.matcher(f[2]).matches()) {
        throw new IllegalArgumentException(at + "the password of " + f[0] + " is not a bcrypt hash "
            + "(make one with: java -jar cockpit.jar hash-password)");
      }
      if (users.put(f[0], new User(f[0], role, f[2])) != null) {
        throw new IllegalArgumentException(at + "user " + f[0] + " appears twice");
      }
    }
    if (users.isEmpty()) {
      throw new IllegalArgumentException(where + ": no users: nobody could log in");
    }
    return new ArrayList<>(users.values());
  }
}
