package org.autopilot.deployment;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.filesync.BlobFetcher;
import org.autopilot.filesync.BlobServer;
import org.autopilot.filesync.ContentStore;
import org.autopilot.tls.ServerIdentity;
import org.autopilot.tls.TrustBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deployment server replica. Serves its store with filesync ({@code GET /blobs/{hash}},
 * ranges, chunk lists, uplink cap, transfer cap) and adds:
 * <ul>
 *   <li>{@code PUT /blobs/{hash}} (bearer upload token): stores the body if it hashes to
 *       {@code hash} and is at most {@code maxBlobBytes}; 201, or 200 if already held;
 *   <li>{@code GET /blobs?after=H&limit=N}: the hashes held, sorted, paged;
 *   <li>{@code /tracker/{hash}}: the swarm tracker machines announce to, so they fetch from
 *       each other with the deployment servers as seeds;
 *   <li>lazy fill: a request for a missing blob gets 404 at once and starts a background fetch
 *       from the peers; an anti-entropy pass every {@code syncInterval} copies what peers hold.
 * </ul>
 */
public final class DeploymentServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final DeploymentConfig config;
  private final ContentStore store;
  private final BlobServer server;
  private final BlobFetcher fetcher;
  private final byte[] uploadTokenHash;
  private final Random random;
  private final Set<String> filling = ConcurrentHashMap.newKeySet();
  private final ExecutorService fillers;
  private final ScheduledExecutorService sync;
  private final HttpClient http;

  /** A replica as configured; nothing is served until {@link #start()}. */
  public DeploymentServer(DeploymentConfig config, Random random) throws IOException {
    this(config, random, null, null);
  }

  /**
   * A replica serving HTTPS only with {@code identity} (null = plain HTTP) and trusting the CAs
   * of {@code trust} when it fetches from its peers (null = the JDK's CAs).
   */
  public DeploymentServer(DeploymentConfig config, Random random, ServerIdentity identity, TrustBundle trust)
      throws IOException {
    this.http = TrustBundle.httpClient(trust).connectTimeout(Duration.ofSeconds(3))
        .version(HttpClient.Version.HTTP_1_1).build();
    this.config = config;
    this.random = random;
    this.store = new ContentStore(config.dataDir());
    this.server = new BlobServer(store, config.uplinkBytesPerSecond(), config.maxTransfers()).tls(identity);
    this.fetcher = new BlobFetcher(store, 0, trust);
    this.uploadTokenHash = config.uploadTokenSha256() == null ? null
        : HexFormat.of().parseHex(config.uploadTokenSha256().toLowerCase());
    this.fillers = Executors.newFixedThreadPool(2, daemon("fill"));
    this.sync = Executors.newSingleThreadScheduledExecutor(daemon("sync"));
    server.onMiss(this::fillLater);
    server.hostTracker(new org.autopilot.filesync.Tracker());
    server.http().put("/blobs/{hash}", this::upload);
    server.http().get("/blobs", this::list);
  }

  /** Serves on the configured port and starts the anti-entropy timer. */
  public DeploymentServer start() {
    server.start(config.port());
    long every = config.syncInterval().toMillis();
    sync.scheduleWithFixedDelay(this::syncOnce, every, every, TimeUnit.MILLISECONDS);
    LOG.info("deployment server {} on 127.0.0.1:{} ({} peers)", config.id(), server.port(),
        config.peers().size());
    return this;
  }

  /** The port served on. */
  public int port() {
    return server.port();
  }

  /** Its base URL ({@code https://} when it serves TLS). */
  public URI uri() {
    return server.uri();
  }

  /** The store behind it. */
  public ContentStore store() {
    return store;
  }

  /** The filesync server (fault injection in tests). */
  public BlobServer blobServer() {
    return server;
  }

  /** One anti-entropy pass: copies every blob a peer holds and this replica lacks. */
  public int syncOnce() {
    int copied = 0;
    for (URI peer : config.peers()) {
      try {
        for (String hash : peerHashes(peer)) {
          if (!store.has(hash)) {
            fetcher.fetch(hash, List.of(peer));
            copied++;
          }
        }
      } catch (IOException e) {
        LOG.debug("sync from {}: {}", peer, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return copied;
      }
    }
    return copied;
  }

  @Override
  public void close() {
    sync.shutdownNow();
    fillers.shutdownNow();
    server.close();
  }

  private void fillLater(String hash) {
    if (config.peers().isEmpty() || !filling.add(hash)) {
      return;
    }
    fillers.execute(() -> {
      try {
        List<URI> order = new ArrayList<>(config.peers());
        synchronized (random) {
          Collections.shuffle(order, random);
        }
        fetcher.fetch(hash, order);
        LOG.info("{}: filled {} from a peer", config.id(), hash);
      } catch (IOException e) {
        LOG.debug("{}: no peer has {}: {}", config.id(), hash, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        filling.remove(hash);
      }
    });
  }

  private void upload(Context ctx) throws IOException {
    String auth = ctx.header("Authorization");
    if (uploadTokenHash == null || auth == null || !auth.startsWith("Bearer ")
        || !MessageDigest.isEqual(uploadTokenHash, HexFormat.of().parseHex(
            TokenAuthenticator.sha256(auth.substring(7).trim())))) {
      ctx.status(401).header("WWW-Authenticate", "Bearer realm=\"autopilot-deployment\"")
          .json(Map.of("error", "uploads need the deployment upload token"));
      return;
    }
    String hash = ContentStore.checkHash(ctx.pathParam("hash"));
    if (store.has(hash)) {
      ctx.status(200).json(Map.of("hash", hash, "stored", false));
      return;
    }
    try {
      store.put(ctx.bodyInputStream(), hash, config.maxBlobBytes());
    } catch (IOException e) {
      ctx.status(400).json(Map.of("error", "upload of " + hash + " refused: " + e.getMessage()));
      return;
    }
    ctx.status(201).json(Map.of("hash", hash, "stored", true));
  }

  private void list(Context ctx) throws IOException {
    String after = ctx.queryParam("after");
    int limit = Math.max(1, Math.min(10_000, Integer.parseInt(
        ctx.queryParamAsClass("limit", String.class).getOrDefault("1000"))));
    List<String> all = store.hashes();
    List<String> page = all.stream().filter(h -> after == null || h.compareTo(after) > 0)
        .limit(limit + 1L).toList();
    boolean more = page.size() > limit;
    page = more ? page.subList(0, limit) : page;
    ctx.json(Map.of("items", page, "next", more ? page.get(page.size() - 1) : ""));
  }

  private List<String> peerHashes(URI peer) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    String after = "";
    for (int pages = 0; pages < 1000; pages++) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
              peer.resolve("/blobs?limit=1000" + (after.isEmpty() ? "" : "&after=" + after)))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IOException(peer + " answered " + r.statusCode());
      }
      JsonNode page = JSON.readTree(r.body());
      page.get("items").forEach(h -> out.add(ContentStore.checkHash(h.asText())));
      after = page.get("next").asText();
      if (after.isEmpty()) {
        return out;
      }
      ContentStore.checkHash(after);
    }
    return out;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, "deployment-" + name);
      t.setDaemon(true);
      return t;
    };
  }
}
