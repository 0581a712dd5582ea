package org.autopilot.collection.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;

/**
 * The repository contract on PostgreSQL, when one is reachable: {@code AUTOPILOT_TEST_PG_URL}
 * (default {@code jdbc:postgresql://127.0.0.1:5432/postgres}), {@code AUTOPILOT_TEST_PG_USER}
 * (default {@code postgres}), {@code AUTOPILOT_TEST_PG_PASSWORD} (default {@code postgres};
 * {@code .ci/postgres} sets a server up that way). Each test gets a schema of its own, dropped
 * afterwards. Skipped, saying why, when no server answers.
 */
class PostgresStoreTest extends StoreContract {
  static final String URL = env("AUTOPILOT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
  static final String USER = env("AUTOPILOT_TEST_PG_USER", "postgres");
  static final String PASSWORD = env("AUTOPILOT_TEST_PG_PASSWORD", "postgres");
  private String schema;

  @Override
  DatabaseConfig database() throws SQLException {
    if (schema == null) {
      schema = "collection_test_" + Long.toHexString(System.nanoTime());
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + schema);
      }
    }
    return new DatabaseConfig(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema,
        USER, PASSWORD, 4);
  }

  /** A connection, or the test is skipped with the reason. */
  static Connection connect() {
    try {
      java.util.Properties p = new java.util.Properties();
      p.setProperty("user", USER);
      p.setProperty("password", PASSWORD);
      p.setProperty("connectTimeout", "3");
      return DriverManager.getConnection(URL, p);
    } catch (SQLException e) {
      Assumptions.abort("no PostgreSQL reachable at " + URL + " as " + USER + " (" + e.getMessage()
          + "); set AUTOPILOT_TEST_PG_URL/_USER/_PASSWORD or run .ci/postgres as root to test it");
      return null;
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    if (schema != null) {
      if (store != null) {
        store.close();
        store = null;
      }
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static String env(String name, String dflt) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? dflt : v;
  }
}
