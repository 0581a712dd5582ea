package org.autopilot.devicemanager.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.api.TokenAuthenticator.TokenEntry;

/**
 * Several DM replicas in one process on loopback, each with its own data directory: the demo,
 * the tests and the benchmarks use it. Tokens for every role (for satellites, one per service) are kept in
 * {@code <base>/credentials.properties} (mode 600) and reused on the next start, as is the data.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path base;
  private final Map<String, DmConfig> configs = new LinkedHashMap<>();
  private final Map<String, DmServer> live = new LinkedHashMap<>();
  private final ClusterCredentials credentials;
  private final InstantSource clock;

  private LocalCluster(Path base, ClusterCredentials credentials, InstantSource clock) {
    this.base = base;
    this.credentials = credentials;
    this.clock = clock;
  }

  /**
   * Configures {@code replicas} replicas under {@code base}; ports start at {@code basePort}
   * (API {@code basePort+i}, Raft {@code basePort+100+i}), or are picked free when 0.
   */
  public static LocalCluster create(Path base, int replicas, int basePort, InstantSource clock)
      throws IOException {
    return create(base, replicas, basePort, clock, null);
  }

  /**
   * As {@link #create(Path, int, int, InstantSource)}, every replica serving HTTPS only with the
   * identity {@code tls} describes ({@code https://} API URLs); {@code tls} null = plain HTTP.
   */
  public static LocalCluster create(Path base, int replicas, int basePort, InstantSource clock,
      org.autopilot.tls.TlsSettings tls) throws IOException {
    Files.createDirectories(base);
    LocalCluster c = new LocalCluster(base,
        ClusterCredentials.loadOrCreate(base.resolve("credentials.properties")), clock);
    List<TokenEntry> entries = c.credentials.entries();
    Map<String, DmConfig.Peer> peers = new LinkedHashMap<>();
    for (int i = 1; i <= replicas; i++) {
      int api = basePort == 0 ? freePort() : basePort + i;
      int raft = basePort == 0 ? freePort() : basePort + 100 + i;
      peers.put("dm" + i, new DmConfig.Peer("127.0.0.1:" + raft,
          (tls == null ? "http" : "https") + "://127.0.0.1:" + api));
    }
    for (String id : peers.keySet()) {
      c.configs.put(id, new DmConfig(id, base.resolve(id), peers, null, null, null, entries,
          c.credentials.machineSecret(), tls, null).validate());
    }
    return c;
  }

  /** Starts every replica that is not running. */
  public LocalCluster start() throws IOException {
    for (String id : configs.keySet()) {
      if (!live.containsKey(id)) {
        live.put(id, DmServer.start(configs.get(id), clock));
      }
    }
    return this;
  }

  /** Stops one replica abruptly (its data stays). */
  public void kill(String id) {
    DmServer s = live.remove(id);
    if (s != null) {
      s.close();
    }
  }

  /**
   * Changes a replica's configuration (for example its storage reserve); it takes effect when the
   * replica is next started.
   */
  public LocalCluster reconfigure(String id, java.util.function.UnaryOperator<DmConfig> change) {
    configs.put(id, change.apply(configs.get(id)).validate());
    return this;
  }

  /** Starts a stopped replica again from its data directory. */
  public void restart(String id) throws IOException {
    if (!live.containsKey(id)) {
      live.put(id, DmServer.start(configs.get(id), clock));
    }
  }

  /** The current leader, waiting up to {@code timeoutMillis} for one to be elected. */
  public Optional<DmServer> leader(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    do {
      for (DmServer s : live.values()) {
        if (s.replica().status().leading()) {
          return Optional.of(s);
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /** The running replicas, by id. */
  public Map<String, DmServer> live() {
    return Map.copyOf(live);
  }

  /** Every configured replica's config, by id, in id order. */
  public Map<String, DmConfig> configs() {
    return java.util.Collections.unmodifiableMap(configs);
  }

  /** API base URLs ({@code .../api/v1}) of every configured replica. */
  public List<String> apiUrls() {
    return configs.values().stream().map(c -> c.peers().get(c.id()).api() + "/api/v1").toList();
  }

  /** The plain token of the principal with this role: {@link ClusterCredentials#token(Role)}. */
  public String token(Role role) {
    return credentials.token(role);
  }

  /** The plain token of satellite service {@code service} (principal named after it). */
  public String token(SatelliteService service) {
    return credentials.token(service);
  }

  /** Where the cluster keeps its data. */
  public Path base() {
    return base;
  }

  @Override
  public void close() {
    new ArrayList<>(live.keySet()).forEach(this::kill);
  }

  /** The secret (hex) from which machine tokens are derived, for services that check them. */
  public String machineSecret() {
    return credentials.machineSecret();
  }

  /** The token of simulated or real machine {@code id} (a {@link Role#MACHINE} principal). */
  public String machineToken(String id) {
    return credentials.machineToken(id);
  }

  /** The token that lets the local deployment servers accept uploads. */
  public String deploymentUploadToken() {
    return credentials.uploadToken();
  }

  /** A free TCP port on loopback. */
  public static int freePort() throws IOException {
    // Below Linux's ephemeral range (32768..60999): a port picked there can be taken by any
    // outgoing connection on the machine before the server binds it (seen in CI on a busy
    // machine); these ports are taken only by servers that ask for them. Never the same port
    // twice in one JVM, so a cluster's ports are distinct.
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(PICK_FROM, PICK_TO);
      if (HANDED_OUT.add(port)) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          return port;
        } catch (IOException taken) {
          // in use: try another
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static final int PICK_FROM = 20_000;
  private static final int PICK_TO = 32_000;
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
