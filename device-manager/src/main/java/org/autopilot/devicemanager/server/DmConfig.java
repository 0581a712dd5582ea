package org.autopilot.devicemanager.server;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.api.TokenAuthenticator.TokenEntry;
import org.autopilot.devicemanager.model.Fleet;
import org.autopilot.devicemanager.replication.RaftSettings;
import org.autopilot.manifests.Durations;
import org.autopilot.tls.TlsSettings;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A replica's configuration file ({@code dm.yaml}). See {@code docs/device-manager.md}.
 *
 * @param id this replica's id, a key of {@code peers}
 * @param dataDir where its Raft log and snapshots live
 * @param peers every replica: its Raft address and API URL
 * @param raft consensus settings; defaults apply when absent
 * @param batch group-commit settings; defaults apply when absent
 * @param eventRetention audit events kept in memory; default 100,000
 * @param tokens API bearer tokens (hashed); at least one
 * @param machineSecret hex secret (at least 32 bytes) from which per-machine tokens are derived
 *     ({@link org.autopilot.devicemanager.api.TokenAuthenticator#machineToken}); absent = no
 *     machine principals
 * @param tls the API's certificate and key ({@code tls: {certificate, privateKey}} or
 *     {@code tls: {keyStore, keyStorePassword}}); absent = plain HTTP. With it the API serves
 *     HTTPS only and every {@code peers.*.api} must be an {@code https://} URL
 * @param storage disk-safety settings; defaults apply when absent
 */
public record DmConfig(
    String id,
    Path dataDir,
    Map<String, Peer> peers,
    Raft raft,
    Batch batch,
    Integer eventRetention,
    List<TokenEntry> tokens,
    String machineSecret,
    TlsSettings tls,
    Storage storage) {

  /** A configuration without TLS (plain HTTP) and with default storage settings. */
  public DmConfig(String id, Path dataDir, Map<String, Peer> peers, Raft raft, Batch batch,
      Integer eventRetention, List<TokenEntry> tokens, String machineSecret) {
    this(id, dataDir, peers, raft, batch, eventRetention, tokens, machineSecret, null, null);
  }

  /**
   * One replica's addresses.
   *
   * @param raft {@code host:port} for Raft peer traffic (keep it on a private network): where the
   *     other replicas reach this one
   * @param api base URL of its HTTP API, e.g. {@code http://127.0.0.1:7101}
   * @param listen {@code host:port} this replica binds for Raft when it differs from {@code raft}
   *     (behind a port mapping or a proxy); null = bind {@code raft}
   */
  public record Peer(String raft, String api, String listen) {
    /** A replica that binds the address the others reach it at. */
    public Peer(String raft, String api) {
      this(raft, api, null);
    }
  }

  /**
   * Consensus settings.
   *
   * @param electionTimeoutMin lower election timeout, e.g. {@code 300ms}
   * @param electionTimeoutMax upper election timeout, e.g. {@code 600ms}
   * @param snapshotEvery log entries between automatic snapshots
   * @param segmentBytes log segment size in bytes; closed segments are purged after a snapshot
   */
  public record Raft(String electionTimeoutMin, String electionTimeoutMax, Long snapshotEvery,
      Long segmentBytes) {}

  /**
   * Group-commit settings.
   *
   * @param maxCommands most commands in one log entry
   * @param maxInFlight most log entries being replicated at once by this replica
   */
  public record Batch(Integer maxCommands, Integer maxInFlight) {}

  /**
   * Disk-safety settings.
   *
   * @param minFreeBytes bytes that must stay free on the data directory's file system; below
   *     that the replica refuses writes with 503 saying why (default 256 MiB; 0 = no check)
   */
  public record Storage(Long minFreeBytes) {}

  /** This configuration with other storage settings. */
  public DmConfig withStorage(Storage s) {
    return new DmConfig(id, dataDir, peers, raft, batch, eventRetention, tokens, machineSecret, tls, s);
  }

  /** Free bytes the data directory must keep (default 256 MiB). */
  public long minFreeBytes() {
    long n = storage == null || storage.minFreeBytes() == null
        ? org.autopilot.devicemanager.core.DiskReserve.DEFAULT_MIN_FREE_BYTES : storage.minFreeBytes();
    require(n >= 0, "storage.minFreeBytes must not be negative");
    return n;
  }

  /** Reads and validates a config file, naming the file in any error. */
  public static DmConfig load(Path file) throws IOException {
    return load(file, null);
  }

  /**
   * As {@link #load(Path)}, with {@code tlsOverride} (when not null) in place of the file's
   * {@code tls} block, e.g. from {@code --tls-cert}/{@code --tls-key}; its paths are taken as given.
   */
  public static DmConfig load(Path file, TlsSettings tlsOverride) throws IOException {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(10);
    limits.setCodePointLimit(1 << 20);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder()
            .loaderOptions(limits)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
            .build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
        .build();
    DmConfig c;
    try {
      c = yaml.readValue(Files.readAllBytes(file), DmConfig.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (c == null) {
      throw new IOException(file + ": empty configuration");
    }
    Path base = file.toAbsolutePath().getParent();
    c = new DmConfig(c.id, c.dataDir == null ? null : base.resolve(c.dataDir), c.peers, c.raft,
        c.batch, c.eventRetention, c.tokens, c.machineSecret,
        tlsOverride != null ? tlsOverride : c.tls == null ? null : c.tls.resolve(base), c.storage);
    try {
      c.validate();
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return c;
  }

  /** Checks everything a replica needs, with a message naming the key. */
  public DmConfig validate() {
    require(id != null && !id.isBlank(), "id is missing");
    require(dataDir != null, "dataDir is missing");
    require(peers != null && peers.containsKey(id), "peers must list this replica '" + id + "'");
    require(peers.size() % 2 == 1 && peers.size() <= 7, "peers must be 1, 3, 5 or 7 replicas, not " + peers.size());
    peers.forEach((pid, p) -> {
      require(p != null && p.raft() != null && p.raft().matches("[^:]+:\\d{1,5}"),
          "peers." + pid + ".raft must be host:port");
      require(p.listen() == null || p.listen().matches("[^:]+:\\d{1,5}"),
          "peers." + pid + ".listen must be host:port");
      require(p.api() != null && p.api().matches("https?://[^/]+"),
          "peers." + pid + ".api must be a base URL like http://127.0.0.1:7101");
    });
    require(tokens != null && !tokens.isEmpty(), "tokens: at least one API token is required");
    tokens.forEach(t -> require(t.name() != null && t.role() != null && t.sha256() != null
        && t.sha256().matches("[0-9a-fA-F]{64}"), "tokens: each needs name, role and a 64-hex sha256"));
    tokens.forEach(t -> {
      try {
        t.principal();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("tokens: " + e.getMessage()
            + (t.role() == Role.SATELLITE ? " (service: one of " + java.util.Arrays.stream(
                SatelliteService.values()).map(SatelliteService::label).toList() + ")" : ""), e);
      }
    });
    require(machineSecret == null || machineSecret.matches("([0-9a-fA-F]{2}){32,}"),
        "machineSecret must be at least 64 hex digits (32 bytes)");
    if (tls != null) {
      tls.validate("tls");
      peers.forEach((pid, p) -> require(p.api().startsWith("https://"),
          "peers." + pid + ".api must be an https:// URL when tls is configured"));
    } else {
      require(apiUri().getScheme().equals("http"), "peers." + id + ".api is https:// but no tls "
          + "(certificate and privateKey, or keyStore) is configured");
    }
    settings();
    batchMaxCommands();
    return this;
  }

  /** The Raft settings this file describes. */
  public RaftSettings settings() {
    Raft r = raft == null ? new Raft(null, null, null, null) : raft;
    Map<String, String> raftPeers = new java.util.TreeMap<>();
    peers.forEach((pid, p) -> raftPeers.put(pid, p.raft()));
    return new RaftSettings(id, raftPeers, dataDir,
        dur(r.electionTimeoutMin(), "raft.electionTimeoutMin", Duration.ofMillis(300)),
        dur(r.electionTimeoutMax(), "raft.electionTimeoutMax", Duration.ofMillis(600)),
        r.snapshotEvery() == null ? 20_000 : r.snapshotEvery(),
        eventRetention == null ? Fleet.DEFAULT_EVENT_RETENTION : eventRetention,
        r.segmentBytes() == null ? 8L << 20 : r.segmentBytes(),
        minFreeBytes(), peers.get(id).listen());
  }

  /** Most commands per log entry (default 2,000). */
  public int batchMaxCommands() {
    int n = batch == null || batch.maxCommands() == null ? 2000 : batch.maxCommands();
    require(n >= 1 && n <= 10_000, "batch.maxCommands must be 1..10000");
    return n;
  }

  /**
   * Most log entries in flight from this replica (default 1: measured best on a 2-core host,
   * where one entry at a time collects the most commands per fsync).
   */
  public int batchMaxInFlight() {
    int n = batch == null || batch.maxInFlight() == null ? 1 : batch.maxInFlight();
    require(n >= 1 && n <= 64, "batch.maxInFlight must be 1..64");
    return n;
  }

  /**
   * How often the leader looks whether time alone changed something for the health policy
   * (probation ends, Errors lasting long enough, action timeouts, windows); 250 ms.
   */
  public Duration healthTick() {
    return Duration.ofMillis(250);
  }

  /** The API host and port this replica binds, from its own peer entry. */
  public java.net.URI apiUri() {
    return java.net.URI.create(peers.get(id).api());
  }

  private static Duration dur(String text, String key, Duration dflt) {
    return text == null ? dflt : Durations.parse(text, key);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
