package org.autopilot.devicemanager.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.api.FleetQueries.EventPage;
import org.autopilot.devicemanager.api.FleetQueries.Page;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.manifests.Durations;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.tls.TrustBundle;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.http.HttpClientTransportOverHTTP;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.client.api.Result;
import org.eclipse.jetty.client.util.BufferingResponseListener;
import org.eclipse.jetty.client.util.BytesRequestContent;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A client of the DM API over any of its replicas. Reads stick to one replica and move on when
 * it fails; writes go to the leader when known (any replica would forward them). A request is
 * retried with jittered exponential backoff only when it certainly did not arrive (connection
 * refused) or is a read; a write whose outcome is unknown is reported, never silently resent.
 */
public final class DmClient implements AutoCloseable {
  /** Largest answer accepted (a page of 10,000 machines fits). */
  private static final int MAX_ANSWER = 64 << 20;
  private static final TypeReference<Page<Machine>> MACHINES = new TypeReference<>() {};
  private static final TypeReference<List<CommandResult>> RESULTS = new TypeReference<>() {};
  private static final TypeReference<List<DmCommand>> COMMAND_LIST = new TypeReference<>() {};

  private final List<URI> endpoints;
  private final String token;
  private final HttpClient http;
  private final Random random;
  private final Duration timeout;
  private final int maxAttempts;
  private final AtomicInteger current = new AtomicInteger();
  private volatile URI leader;

  /**
   * A client of the replicas at {@code apiUrls} (each like {@code http://h:p/api/v1}).
   *
   * @param random source of backoff jitter (seed it for reproducible tests)
   * @param timeout per-request timeout, blocking waits come on top
   * @param maxAttempts tries per request, at least 1
   */
  public DmClient(List<String> apiUrls, String token, Random random, Duration timeout, int maxAttempts) {
    this(apiUrls, token, null, random, timeout, maxAttempts);
  }

  /**
   * A client of the replicas at {@code apiUrls} that trusts the CAs of {@code trust} for
   * {@code https://} URLs (hostname verification on); {@code trust} null = the JDK's CAs.
   *
   * @param random source of backoff jitter (seed it for reproducible tests)
   * @param timeout per-request timeout, blocking waits come on top
   * @param maxAttempts tries per request, at least 1
   */
  public DmClient(List<String> apiUrls, String token, TrustBundle trust, Random random, Duration timeout,
      int maxAttempts) {
    if (apiUrls.isEmpty()) {
      throw new IllegalArgumentException("no DM API URL given");
    }
    this.endpoints = apiUrls.stream().map(u -> URI.create(u.endsWith("/") ? u : u + "/")).toList();
    this.token = token;
    this.random = random;
    this.timeout = timeout;
    this.maxAttempts = Math.max(1, maxAttempts);
    ClientConnector connector = new ClientConnector();
    if (trust != null) {
      connector.setSslContextFactory(trust.jettyClient());
    }
    this.http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("dm-client");
    threads.setDaemon(true);
    http.setExecutor(threads);
    http.setConnectTimeout(5000);
    http.setMaxConnectionsPerDestination(32_768);
    http.setMaxRequestsQueuedPerDestination(65_536);
    http.setFollowRedirects(false);
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client: " + e.getMessage(), e);
    }
  }

  /** A client with 10 s timeouts and 6 attempts. */
  public DmClient(List<String> apiUrls, String token) {
    this(apiUrls, token, new Random(), Duration.ofSeconds(10), 6);
  }

  /** A client with 10 s timeouts and 6 attempts trusting {@code trust} (null = the JDK's CAs). */
  public DmClient(List<String> apiUrls, String token, TrustBundle trust) {
    this(apiUrls, token, trust, new Random(), Duration.ofSeconds(10), 6);
  }

  /** Sends one command; an answer (accepted or rejected) returns, an outage throws. */
  public CommandResult send(DmCommand command) {
    return join(sendAsync(command));
  }

  /** Sends one command without blocking. */
  public CompletableFuture<CommandResult> sendAsync(DmCommand command) {
    return request("POST", "commands", json(command, DmCommand.class), false, Duration.ZERO)
        .thenApply(body -> read(body, CommandResult.class));
  }

  /**
   * Sends one command on behalf of the human {@code user} (header
   * {@code X-Autopilot-On-Behalf-Of}): the DM records the actor as {@code <this token's
   * principal>/<user>}. Only an operator or admin token may do this; the DM refuses a malformed
   * name with 400 and any other token with 403 (thrown as {@link DmClientException}).
   */
  public CommandResult sendOnBehalfOf(String user, DmCommand command) {
    return join(attempt("POST", "commands", json(command, DmCommand.class), false, Duration.ZERO,
        1, user).thenApply(body -> read(body, CommandResult.class)));
  }

  /** Sends up to 1,000 commands in one request; answers come in the same order. */
  public List<CommandResult> sendAll(List<? extends DmCommand> commands) {
    return join(sendAllAsync(commands));
  }

  /** {@link #sendAll} without blocking. */
  public CompletableFuture<List<CommandResult>> sendAllAsync(List<? extends DmCommand> commands) {
    byte[] body;
    try {
      body = Json.mapper().writerFor(COMMAND_LIST).writeValueAsBytes(commands);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return request("POST", "commands", body, false, Duration.ZERO)
        .thenApply(answer -> read(answer, RESULTS));
  }

  /** One page of machines, filtered by the non-null query values. */
  public Page<Machine> machines(Map<String, String> filter, String after, int limit) {
    Map<String, String> q = new LinkedHashMap<>(filter);
    if (after != null) {
      q.put("after", after);
    }
    q.put("limit", Integer.toString(limit));
    return join(get("machines", q, Duration.ZERO).thenApply(b -> read(b, MACHINES)));
  }

  /** Every machine matching the filter, all pages. */
  public List<Machine> allMachines(Map<String, String> filter) {
    List<Machine> out = new ArrayList<>();
    String after = null;
    do {
      Page<Machine> p = machines(filter, after, 5000);
      out.addAll(p.items());
      after = p.next();
    } while (after != null);
    return out;
  }

  /** One machine, if it exists. */
  public Optional<Machine> machine(MachineId id) {
    try {
      return Optional.of(join(get("machines/" + id.value(), Map.of(), Duration.ZERO)
          .thenApply(b -> read(b, Machine.class))));
    } catch (DmClientException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * One machine once its version passes {@code index} (or {@code wait} runs out, then as it is);
   * empty if it does not exist.
   */
  public Optional<Machine> watchMachine(MachineId id, long index, Duration wait) {
    try {
      return Optional.of(join(get("machines/" + id.value(), Map.of("index", Long.toString(index),
          "wait", Durations.format(wait)), wait).thenApply(b -> read(b, Machine.class))));
    } catch (DmClientException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** A registered manifest version, if it exists. */
  public Optional<ManifestVersion> manifest(ManifestRef ref) {
    try {
      return Optional.of(join(get("manifests/" + ref, Map.of(), Duration.ZERO)
          .thenApply(b -> read(b, ManifestVersion.class))));
    } catch (DmClientException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Blocks until the fleet revision passes {@code index} or {@code wait} runs out; the new index. */
  public long watch(long index, Duration wait) {
    return watchAsync(index, wait).join();
  }

  /** {@link #watch} without blocking a thread. */
  public CompletableFuture<Long> watchAsync(long index, Duration wait) {
    return get("watch", Map.of("index", Long.toString(index), "wait", Durations.format(wait)), wait)
        .thenApply(b -> read(b, JsonNode.class).get("index").asLong());
  }

  /** Audit events after revision {@code after}. */
  public EventPage events(long after, int limit) {
    return join(get("events", Map.of("after", Long.toString(after), "limit", Integer.toString(limit)),
        Duration.ZERO).thenApply(b -> read(b, EventPage.class)));
  }

  /** Audit events about {@code machine} after revision {@code after}, oldest first. */
  public EventPage events(MachineId machine, long after, int limit) {
    return join(get("events", Map.of("machine", machine.value(), "after", Long.toString(after),
        "limit", Integer.toString(limit)), Duration.ZERO).thenApply(b -> read(b, EventPage.class)));
  }

  /**
   * The repair queue; with {@code index > 0}, once the fleet passes {@code index} (or
   * {@code wait} runs out).
   */
  public FleetQueries.RepairQueue repairs(long index, Duration wait) {
    Map<String, String> q = index > 0 ? Map.of("index", Long.toString(index), "wait",
        Durations.format(wait)) : Map.of();
    return join(get("repairs", q, index > 0 ? wait : Duration.ZERO)
        .thenApply(b -> read(b, FleetQueries.RepairQueue.class)));
  }

  /** Decision-log entries after revision {@code after}, of one machine (or all if null). */
  public FleetQueries.DecisionPage decisions(MachineId machine, long after, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("after", Long.toString(after));
    q.put("limit", Integer.toString(limit));
    if (machine != null) {
      q.put("machine", machine.value());
    }
    return join(get("decisions", q, Duration.ZERO).thenApply(b -> read(b, FleetQueries.DecisionPage.class)));
  }

  /** Every incident, open or resolved. */
  public List<Incident> incidents() {
    JsonNode n = join(get("incidents", Map.of(), Duration.ZERO).thenApply(b -> read(b, JsonNode.class)));
    return Json.lenient().convertValue(n.get("items"), new TypeReference<List<Incident>>() {});
  }

  /** The health policies set, by scope ({@code default} or a machine type). */
  public Map<String, HealthPolicy> policies() {
    JsonNode n = join(get("policies", Map.of(), Duration.ZERO).thenApply(b -> read(b, JsonNode.class)));
    return Json.lenient().convertValue(n.get("items"), new TypeReference<Map<String, HealthPolicy>>() {});
  }

  /** All satellite leases. */
  public List<Lease> leases() {
    JsonNode n = join(get("leases", Map.of(), Duration.ZERO).thenApply(b -> read(b, JsonNode.class)));
    return Json.lenient().convertValue(n.get("items"), new TypeReference<List<Lease>>() {});
  }

  /** Any read-only resource under the API base as JSON, e.g. {@code machine-types}. */
  public JsonNode getJson(String path) {
    return join(get(path, Map.of(), Duration.ZERO).thenApply(b -> read(b, JsonNode.class)));
  }

  /** The status of whichever replica answers, with the leader's API URL. */
  public JsonNode status() {
    return join(get("status", Map.of(), Duration.ZERO).thenApply(b -> read(b, JsonNode.class)));
  }

  private CompletableFuture<byte[]> get(String path, Map<String, String> query, Duration wait) {
    StringBuilder p = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : query.entrySet()) {
      if (e.getValue() != null) {
        p.append(sep).append(e.getKey()).append('=')
            .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    return request("GET", p.toString(), null, true, wait);
  }

  private CompletableFuture<byte[]> request(String method, String path, byte[] body,
      boolean idempotent, Duration wait) {
    return attempt(method, path, body, idempotent, wait, 1, null);
  }

  private CompletableFuture<byte[]> attempt(String method, String path, byte[] body,
      boolean idempotent, Duration wait, int n, String onBehalfOf) {
    URI base = !idempotent && leader != null ? leader : endpoints.get(Math.floorMod(current.get(), endpoints.size()));
    return exchange(method, base.resolve(path), body, timeout.plus(wait), onBehalfOf)
        .handle((resp, error) -> {
          if (error == null && resp.statusCode() < 500) {
            int sc = resp.statusCode();
            boolean refusedCommand = body != null && (sc == 404 || sc == 409 || sc == 422);
            if (sc >= 400 && !refusedCommand) {
              throw new DmClientException(sc, method + " " + base + path + ": HTTP " + sc + " "
                  + message(resp), null);
            }
            return CompletableFuture.completedFuture(resp.body());
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          // a failed TLS handshake carried no request either
          boolean notArrived = cause instanceof ConnectException
              || cause instanceof javax.net.ssl.SSLHandshakeException
              || cause instanceof java.net.SocketTimeoutException && cause.getMessage() != null
                  && cause.getMessage().contains("onnect");
          boolean retry = n < maxAttempts && (idempotent || notArrived);
          if (base.equals(leader)) {
            leader = null;
            CompletableFuture.runAsync(this::refreshLeader);
          }
          current.incrementAndGet();
          String what = error == null ? "HTTP " + resp.statusCode() + " " + message(resp)
              : cause instanceof javax.net.ssl.SSLException ? "TLS handshake failed (does caFile hold the CA "
                  + "that signed the server's certificate, and does it name this host?): " + cause
              : cause.toString();
          if (!retry) {
            throw new DmClientException(error != null ? 0 : resp.statusCode(),
                method + " " + base + path + " failed after " + n + " attempt(s): " + what, cause);
          }
          // Another replica is tried at once; only after every replica failed once more do we
          // back off (jittered, exponential, at most 1 s).
          long sleep = 0;
          if (n % endpoints.size() == 0) {
            long backoff = Math.min(1000, 50L << Math.min(n / endpoints.size(), 5));
            sleep = backoff / 2 + (long) (random.nextDouble() * backoff / 2);
          }
          return CompletableFuture.supplyAsync(() -> null,
                  CompletableFuture.delayedExecutor(sleep, TimeUnit.MILLISECONDS))
              .thenCompose(x -> attempt(method, path, body, idempotent, wait, n + 1, onBehalfOf));
        })
        .thenCompose(f -> f);
  }

  /** Asks any replica who leads, so writes skip the forwarding hop; best effort. */
  public void refreshLeader() {
    for (int i = 0; i < endpoints.size(); i++) {
      URI base = endpoints.get(Math.floorMod(current.get() + i, endpoints.size()));
      try {
        Resp r = exchange("GET", base.resolve("status"), null, Duration.ofSeconds(2), null).get();
        JsonNode api = r.statusCode() == 200 ? read(r.body(), JsonNode.class).get("leaderApi") : null;
        if (api != null && api.isTextual()) {
          leader = URI.create(api.asText() + "/api/v1/");
          return;
        }
      } catch (ExecutionException | RuntimeException e) {
        // try the next replica
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the HTTP client; the instance is unusable afterwards. */
  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      // closing anyway
    }
  }

  /** One HTTP exchange: completes with status and body, or with the transport's failure. */
  private CompletableFuture<Resp> exchange(String method, URI uri, byte[] body, Duration timeout,
      String onBehalfOf) {
    CompletableFuture<Resp> result = new CompletableFuture<>();
    Request req = http.newRequest(uri).method(method)
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .headers(h -> {
          h.put("Accept", "application/json");
          if (token != null) {
            h.put("Authorization", "Bearer " + token);
          }
          if (onBehalfOf != null) {
            h.put("X-Autopilot-On-Behalf-Of", onBehalfOf);
          }
        });
    if (body != null) {
      req.body(new BytesRequestContent("application/json", body));
    }
    req.send(new BufferingResponseListener(MAX_ANSWER) {
      @Override
      public void onComplete(Result r) {
        if (r.isFailed()) {
          result.completeExceptionally(r.getFailure());
        } else {
          result.complete(new Resp(r.getResponse().getStatus(), getContent()));
        }
      }
    });
    return result;
  }

  /** An HTTP answer. */
  private record Resp(int statusCode, byte[] body) {}

  private static String message(Resp resp) {
    String s = new String(resp.body(), StandardCharsets.UTF_8);
    try {
      JsonNode n = Json.lenient().readTree(s);
      if (n != null && n.has("error")) {
        return n.get("error").asText();
      }
    } catch (IOException ignored) {
      // not JSON
    }
    return s.length() > 300 ? s.substring(0, 300) : s;
  }

  private static byte[] json(Object o, Class<?> as) {
    try {
      return Json.mapper().writerFor(as).writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static <T> T read(byte[] body, Class<T> type) {
    try {
      return Json.lenient().readValue(body, type);
    } catch (IOException e) {
      throw new DmClientException(0, "unreadable answer from the DM: " + e.getMessage(), e);
    }
  }

  private static <T> T read(byte[] body, TypeReference<T> type) {
    try {
      return Json.lenient().readValue(body, type);
    } catch (IOException e) {
      throw new DmClientException(0, "unreadable answer from the DM: " + e.getMessage(), e);
    }
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof DmClientException d) {
        throw d;
      }
      throw new DmClientException(0, e.getCause().toString(), e.getCause());
    }
  }
}
