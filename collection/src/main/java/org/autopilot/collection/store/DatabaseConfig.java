package org.autopilot.collection.store;

/**
 * Where the collection's database is.
 *
 * @param url JDBC URL: {@code jdbc:h2:file:/path/collection} (embedded, the default; add
 *     {@code ;AUTO_SERVER=TRUE} for several processes on one file) or
 *     {@code jdbc:postgresql://host:5432/db}
 * @param user database user ({@code sa} for H2)
 * @param password its password, may be empty
 * @param poolSize most connections this replica holds (the writer holds one while it writes)
 */
public record DatabaseConfig(String url, String user, String password, int poolSize) {
  /** Checks the URL names a database the collection knows. */
  public DatabaseConfig {
    if (url == null || !(url.startsWith("jdbc:h2:") || url.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException("database.url '" + url
          + "' must be a jdbc:h2: or jdbc:postgresql: URL");
    }
    user = user == null ? "" : user;
    password = password == null ? "" : password;
    if (poolSize < 2 || poolSize > 64) {
      throw new IllegalArgumentException("database.poolSize must be 2..64");
    }
  }

  /** An embedded H2 file database at {@code file} (no extension). */
  public static DatabaseConfig h2(java.nio.file.Path file) {
    return new DatabaseConfig("jdbc:h2:file:" + file.toAbsolutePath(), "sa", "", 8);
  }

  /** The URL with any password parameter masked, for status pages and logs. */
  public String safeUrl() {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
