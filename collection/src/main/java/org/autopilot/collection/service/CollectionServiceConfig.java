package org.autopilot.collection.service;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.collection.store.IngestWriter;
import org.autopilot.collection.store.Rollups;
import org.autopilot.collection.wire.Limits;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator.TokenEntry;
import org.autopilot.manifests.Durations;
import org.autopilot.tls.TlsSettings;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * One collection service replica's settings ({@code collection.yaml}, see
 * {@code docs/collection.md}).
 *
 * @param id replica name, shown on the status page
 * @param host interface to listen on
 * @param port HTTP port (0: any free one; the documented default is 7601)
 * @param database where samples and logs are stored
 * @param machineSecret the DM's machine secret (hex, at least 32 bytes): machines send with
 *     their tokens {@code machine:<id>:<hmac>}
 * @param tokens who may read (hashed bearer tokens, as the DM's); machine tokens never may
 * @param limits what one batch may hold
 * @param retention rollup lateness and how long each tier is kept
 * @param rollupInterval how often the rollup and retention pass runs
 * @param writer how batches are written
 */
public record CollectionServiceConfig(
    String id,
    String host,
    int port,
    DatabaseConfig database,
    String machineSecret,
    List<TokenEntry> tokens,
    Limits limits,
    Rollups.Settings retention,
    Duration rollupInterval,
    IngestWriter.Settings writer,
    TlsSettings tls) {

  /** A configuration serving plain HTTP, as before {@code tls} existed. */
  public CollectionServiceConfig(String id, String host, int port, DatabaseConfig database, String machineSecret,
      List<TokenEntry> tokens, Limits limits, Rollups.Settings retention, Duration rollupInterval,
      IngestWriter.Settings writer) {
    this(id, host, port, database, machineSecret, tokens, limits, retention, rollupInterval, writer, null);
  }

  /** The default port. */
  public static final int DEFAULT_PORT = 7601;

  /** Checks what the service cannot run without. */
  public CollectionServiceConfig {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("id '" + id + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535");
    }
    if (machineSecret == null || !machineSecret.matches("([0-9a-fA-F]{2}){32,}")) {
      throw new IllegalArgumentException("machineSecret must be at least 32 bytes of hex");
    }
    HexFormat.of().parseHex(machineSecret);
    if (tokens == null || tokens.isEmpty()) {
      throw new IllegalArgumentException("tokens: at least one reader token is needed");
    }
    for (TokenEntry t : tokens) {
      if (t.name() == null || t.role() == null || t.role() == Role.MACHINE || t.sha256() == null
          || !t.sha256().matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("tokens: each needs a name, a role (viewer, operator, "
            + "satellite or admin) and a 64-hex sha256");
      }
    }
    tokens = List.copyOf(tokens);
    if (database == null || limits == null || retention == null || writer == null) {
      throw new IllegalArgumentException("database, limits, retention and writer are required");
    }
    if (rollupInterval == null || rollupInterval.compareTo(Duration.ofMillis(100)) < 0
        || rollupInterval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("rollupInterval must be 100ms..1h");
    }
  }

  /** Defaults for everything but identity, address, database and credentials. */
  public static CollectionServiceConfig of(String id, String host, int port, DatabaseConfig database,
      String machineSecret, List<TokenEntry> tokens) {
    return new CollectionServiceConfig(id, host, port, database, machineSecret, tokens, Limits.DEFAULTS,
        Rollups.Settings.DEFAULTS, Duration.ofSeconds(30), IngestWriter.Settings.DEFAULTS);
  }

  /** This config with other retention settings. */
  public CollectionServiceConfig withRetention(Rollups.Settings r, Duration interval) {
    return new CollectionServiceConfig(id, host, port, database, machineSecret, tokens, limits, r,
        interval, writer, tls);
  }

  /** This config with other batch limits. */
  public CollectionServiceConfig withLimits(Limits l) {
    return new CollectionServiceConfig(id, host, port, database, machineSecret, tokens, l, retention,
        rollupInterval, writer, tls);
  }

  /** This config with other writer settings. */
  public CollectionServiceConfig withWriter(IngestWriter.Settings w) {
    return new CollectionServiceConfig(id, host, port, database, machineSecret, tokens, limits,
        retention, rollupInterval, w, tls);
  }

  /** This config serving HTTPS only with {@code t} (null: plain HTTP). */
  public CollectionServiceConfig withTls(TlsSettings t) {
    return new CollectionServiceConfig(id, host, port, database, machineSecret, tokens, limits,
        retention, rollupInterval, writer, t);
  }

  /** The file form: durations as text, secrets in files (paths relative to the config file). */
  record File(String id, String listen, Database database, String machineSecretFile,
      List<Token> tokens, Retention retention, String rollupInterval, FileLimits limits, Writer writer,
      TlsSettings tls) {}

  /** {@code database:}. */
  record Database(String url, String user, String passwordFile, Integer poolSize) {}

  /** One entry of {@code tokens:}. */
  record Token(String name, String role, String sha256) {}

  /** {@code retention:}. */
  record Retention(String raw, String minute, String hour, String logs, String lateness) {}

  /** {@code limits:}. */
  record FileLimits(Integer maxBodyBytes, Integer maxInflatedBytes, Integer maxSamples, Integer maxLogs,
      String maxAge, String maxFuture) {}

  /** {@code writer:}. */
  record Writer(Integer threads, Integer groupSamples, Integer queueSamples) {}

  /** Reads and checks a config file, naming the file and the key in any error. */
  public static CollectionServiceConfig load(Path file) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(0);
    options.setCodePointLimit(1 << 20);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(options)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    File f;
    try {
      f = yaml.readValue(Files.readAllBytes(file), File.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    try {
      if (f == null || f.id() == null || f.machineSecretFile() == null || f.tokens() == null) {
        throw new IllegalArgumentException("id, machineSecretFile and tokens are required");
      }
      Path base = file.toAbsolutePath().getParent();
      String listen = f.listen() == null ? "127.0.0.1:" + DEFAULT_PORT : f.listen();
      int colon = listen.lastIndexOf(':');
      if (colon <= 0 || !listen.substring(colon + 1).matches("\\d{1,5}")) {
        throw new IllegalArgumentException("listen '" + listen + "' is not host:port");
      }
      Database db = f.database() == null ? new Database(null, null, null, null) : f.database();
      String url = db.url() == null ? "jdbc:h2:file:" + base.resolve("collection-data").resolve(f.id())
          : h2Relative(db.url(), base);
      DatabaseConfig database = new DatabaseConfig(url, db.user() == null ? (url.startsWith("jdbc:h2:") ? "sa" : "")
          : db.user(), db.passwordFile() == null ? "" : read(base, db.passwordFile(), "database.passwordFile"),
          db.poolSize() == null ? 8 : db.poolSize());
      List<TokenEntry> tokens = f.tokens().stream().map(t -> new TokenEntry(t.name(), role(t.role()),
          t.sha256())).toList();
      Rollups.Settings rd = Rollups.Settings.DEFAULTS;
      Retention r = f.retention() == null ? new Retention(null, null, null, null, null) : f.retention();
      Rollups.Settings retention = new Rollups.Settings(dur(r.lateness(), rd.lateness(), "retention.lateness"),
          dur(r.raw(), rd.raw(), "retention.raw"), dur(r.minute(), rd.minute(), "retention.minute"),
          dur(r.hour(), rd.hour(), "retention.hour"), dur(r.logs(), rd.logs(), "retention.logs"));
      Limits ld = Limits.DEFAULTS;
      FileLimits l = f.limits() == null ? new FileLimits(null, null, null, null, null, null) : f.limits();
      Limits limits = new Limits(or(l.maxBodyBytes(), ld.maxBodyBytes()), or(l.maxInflatedBytes(), ld.maxInflatedBytes()),
          or(l.maxSamples(), ld.maxSamples()), or(l.maxLogs(), ld.maxLogs()),
          dur(l.maxAge(), ld.maxAge(), "limits.maxAge"), dur(l.maxFuture(), ld.maxFuture(), "limits.maxFuture"));
      IngestWriter.Settings wd = IngestWriter.Settings.DEFAULTS;
      Writer w = f.writer() == null ? new Writer(null, null, null) : f.writer();
      IngestWriter.Settings writer = new IngestWriter.Settings(or(w.threads(), wd.threads()),
          or(w.groupSamples(), wd.groupSamples()), or(w.queueSamples(), wd.queueSamples()));
      return new CollectionServiceConfig(f.id(), listen.substring(0, colon),
          Integer.parseInt(listen.substring(colon + 1)), database,
          read(base, f.machineSecretFile(), "machineSecretFile"), tokens, limits, retention,
          dur(f.rollupInterval(), Duration.ofSeconds(30), "rollupInterval"), writer,
          f.tls() == null ? null : f.tls().resolve(base).validate("tls"));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** An H2 file URL with a relative path, made absolute against the config file's directory. */
  static String h2Relative(String url, Path base) {
    String prefix = "jdbc:h2:file:";
    if (!url.startsWith(prefix)) {
      return url;
    }
    String rest = url.substring(prefix.length());
    int semi = rest.indexOf(';');
    String path = semi < 0 ? rest : rest.substring(0, semi);
    if (path.startsWith("/") || path.startsWith("~")) {
      return url;
    }
    return prefix + base.resolve(path).normalize() + (semi < 0 ? "" : rest.substring(semi));
  }

  private static Role role(String text) {
    try {
      return Role.valueOf(text == null ? "" : text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tokens: role '" + text + "' is not viewer, operator, satellite or admin");
    }
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }

  private static Duration dur(String text, Duration dflt, String key) {
    return text == null ? dflt : Durations.parse(text, key);
  }

  private static String read(Path base, String name, String key) {
    try {
      return Files.readString(base.resolve(name)).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + base.resolve(name) + ": " + e.getMessage());
    }
  }
}
