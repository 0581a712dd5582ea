package org.autopilot.devicemanager.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.PinHostKey;
import org.autopilot.devicemanager.command.ReportHealth;
import org.autopilot.devicemanager.command.ReportSoftware;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.command.Proposal;
import org.autopilot.devicemanager.core.CommandBatcher;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.core.Replica;
import org.autopilot.devicemanager.core.ReplicaStatus;
import org.autopilot.devicemanager.core.WritesRefusedException;
import org.autopilot.devicemanager.model.Fleet;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.manifests.Durations;
import org.autopilot.manifests.ManifestRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of one replica. Reads come from the local fleet (add {@code consistent=true} for
 * a linearizable read); writes go through group commit to the Raft leader; a read with
 * {@code index=N} blocks until the fleet (or the thing read) is newer than N or {@code wait}
 * runs out. Every read answers with header {@code X-Dm-Index}, the revision it was read at.
 */
public final class DmApi implements AutoCloseable {
  /** Largest request body accepted. */
  public static final long MAX_BODY = 1 << 20;
  /** Most commands in one POST. */
  public static final int MAX_COMMANDS = 1000;
  /** Longest blocking wait. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(5);
  private static final Logger LOG = LoggerFactory.getLogger(DmApi.class);
  /**
   * Header by which a trusted operator-role principal (Cockpit's own token) names the human it
   * acts for; the actor recorded is {@code <principal>/<human>}.
   */
  public static final String ON_BEHALF_OF = "X-Autopilot-On-Behalf-Of";
  /** What a human's name on whose behalf a command is sent must look like. */
  public static final java.util.regex.Pattern HUMAN_NAME =
      java.util.regex.Pattern.compile("[a-z][a-z0-9._-]{0,63}");

  private final Replica replica;
  private final CommandBatcher batcher;
  private final TokenAuthenticator auth;
  private final Map<String, String> peerApis;
  private final DmMetrics metrics;
  private final Javalin app;
  private org.autopilot.tls.ServerIdentity tls;
  /** Writes answers, so that neither Raft's reply threads nor the watch notifier do. */
  private final java.util.concurrent.ExecutorService responders =
      java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "dm-api-respond");
        t.setDaemon(true);
        return t;
      });

  /**
   * An API over {@code replica}; {@code peerApis} maps replica ids to their API base URLs so
   * callers can be pointed at the leader.
   */
  public DmApi(Replica replica, CommandBatcher batcher, TokenAuthenticator auth,
      Map<String, String> peerApis, DmMetrics metrics) {
    this.replica = replica;
    this.batcher = batcher;
    this.auth = auth;
    this.peerApis = Map.copyOf(peerApis);
    this.metrics = metrics;
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = MAX_BODY;
      cfg.http.asyncTimeout = MAX_WAIT.plusSeconds(30).toMillis();
      cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
      // Per-connection memory matters with 10,000 open watches: Jetty's default header cache
      // (a 16 K-char trie per connection) and 32 KiB output buffer would take ~1 GB.
      cfg.jetty.modifyHttpConfiguration(http -> {
        http.setHeaderCacheSize(0);
        http.setOutputBufferSize(4096);
      });
    });
    routes();
  }

  /** Serves HTTPS only with {@code identity} (null = plain HTTP); call before {@link #start}. */
  public DmApi tls(org.autopilot.tls.ServerIdentity identity) {
    this.tls = identity;
    return this;
  }

  /** Starts serving on {@code host:port} (port 0 picks a free one). */
  public DmApi start(String host, int port) {
    org.autopilot.tls.Https.start(app, tls, host, port);
    // A blocking query may wait up to MAX_WAIT without a byte on the wire: Jetty's default
    // 30 s idle timeout would cut it off.
    for (org.eclipse.jetty.server.Connector c : app.jettyServer().server().getConnectors()) {
      if (c instanceof org.eclipse.jetty.server.AbstractConnector a) {
        a.setIdleTimeout(MAX_WAIT.plusSeconds(30).toMillis());
      }
    }
    return this;
  }

  /** The port served on. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    responders.shutdownNow();
  }

  private void routes() {
    app.before(this::authenticate);
    app.before(this::refuseWhenFailed);
    app.get("/api/v1/status", ctx -> ctx.json(status()));
    app.get("/api/v1/watch", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision())));
    app.get("/api/v1/machines", this::listMachines);
    app.get("/api/v1/machines/{id}", this::getMachine);
    app.get("/api/v1/machine-types", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.machineTypes().values())));
    app.get("/api/v1/scale-units", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.scaleUnits().values())));
    app.get("/api/v1/leases", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.leases().values())));
    app.get("/api/v1/events", this::listEvents);
    app.get("/api/v1/manifests", this::listManifests);
    app.get("/api/v1/rollouts", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.rollouts().values())));
    app.get("/api/v1/budgets", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.budgets().values())));
    app.get("/api/v1/ingests", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.ingests().values())));
    app.get("/api/v1/manifests/{ref}", this::getManifest);
    app.get("/api/v1/repairs", ctx -> blocking(ctx, f -> true, FleetQueries::repairs));
    app.get("/api/v1/decisions", this::listDecisions);
    app.get("/api/v1/incidents", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.incidents().values())));
    app.get("/api/v1/policies", ctx -> blocking(ctx, f -> true,
        f -> Map.of("index", f.revision(), "items", f.policies())));
    app.post("/api/v1/commands", this::postCommands);
    app.get("/api/v1/openapi.json", ctx -> {
      try (InputStream in = DmApi.class.getResourceAsStream("/openapi.json")) {
        ctx.contentType("application/json").result(Objects.requireNonNull(in).readAllBytes());
      }
    });
    app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
    app.get("/healthz", ctx -> {
      java.util.Optional<String> failed = replica.failure();
      ctx.status(failed.isPresent() ? 503 : 200).result(failed.map(f -> "failed: " + f).orElse("ok"));
    });
    app.exception(ApiError.class, (e, ctx) -> {
      if (e.status() == 401) {
        ctx.header("WWW-Authenticate", "Bearer realm=\"autopilot\"");
      }
      error(ctx, e.status(), e.getMessage());
    });
    app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      if (e instanceof java.util.concurrent.RejectedExecutionException
          || e.getCause() instanceof java.util.concurrent.RejectedExecutionException) {
        LOG.debug("request {} {} cut off by shutdown", ctx.method(), ctx.path());
        error(ctx, 503, "this replica is shutting down; ask another");
        return;
      }
      LOG.warn("request {} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        error(ctx, 404, "no such resource: " + ctx.method() + " " + ctx.path());
      }
    });
    app.error(413, ctx -> error(ctx, 413, "request body larger than " + MAX_BODY + " bytes"));
  }

  private void authenticate(Context ctx) {
    String path = ctx.path();
    if (path.equals("/healthz") || path.equals("/api/v1/openapi.json")) {
      return;
    }
    Principal p = auth.authenticate(ctx.header("Authorization")).orElseThrow(() ->
        new ApiError(401, "missing or unknown bearer token (header 'Authorization: Bearer TOKEN')"));
    if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD && !p.role().mayWrite()) {
      throw new ApiError(403, p.name() + " has role " + p.role() + " and may not change anything");
    }
    ctx.attribute("principal", p);
  }

  /**
   * A failed replica (its log could not be written) answers only its status, metrics and health:
   * its fleet may be behind and can no longer catch up.
   */
  private void refuseWhenFailed(Context ctx) {
    String path = ctx.path();
    if (path.equals("/api/v1/status") || path.equals("/metrics") || path.equals("/healthz")
        || path.equals("/api/v1/openapi.json")) {
      return;
    }
    replica.failure().ifPresent(why -> {
      throw new ApiError(503, "replica " + replica.id() + " has failed and serves nothing: " + why
          + "; ask another replica");
    });
  }

  private Map<String, Object> status() {
    ReplicaStatus s = replica.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("replica", s);
    out.put("leaderApi", s.leader() == null ? null : peerApis.get(s.leader()));
    out.put("peers", peerApis);
    out.put("openWatches", replica.ledger().watch().openWatches());
    return out;
  }

  private void listMachines(Context ctx) {
    FleetQueries.MachineFilter filter = new FleetQueries.MachineFilter(
        param(ctx, "state", LifecycleState::parse), param(ctx, "health", Health::parse),
        ctx.queryParam("machineType"), ctx.queryParam("scaleUnit"));
    String after = param(ctx, "after", s -> MachineId.of(s).value());
    int limit = limit(ctx, 1000);
    blocking(ctx, f -> true, f -> FleetQueries.machines(f, filter, after, limit));
  }

  private void getMachine(Context ctx) {
    MachineId id = param(ctx, "id", MachineId::of);
    long index = param(ctx, "index", Long::parseLong, 0L);
    blocking(ctx, f -> {
      Machine m = f.machine(id);
      return m == null || m.version() > index;
    }, f -> {
      Machine m = f.machine(id);
      if (m == null) {
        throw new ApiError(404, "machine " + id + " does not exist");
      }
      return m;
    });
  }

  private void listEvents(Context ctx) {
    long after = param(ctx, "after", Long::parseLong, 0L);
    MachineId machine = param(ctx, "machine", MachineId::of);
    int limit = limit(ctx, 500);
    blocking(ctx, f -> true, f -> FleetQueries.events(f, after, machine, limit));
  }

  private void listDecisions(Context ctx) {
    long after = param(ctx, "after", Long::parseLong, 0L);
    MachineId machine = param(ctx, "machine", MachineId::of);
    int limit = limit(ctx, 500);
    blocking(ctx, f -> true, f -> FleetQueries.decisions(f, after, machine, limit));
  }

  /**
   * Answers with {@code render(fleet)}: at once without {@code index}; with {@code index=N},
   * once the fleet is past N and {@code changed} holds, or when {@code wait} runs out.
   */
  private void blocking(Context ctx, Predicate<Fleet> changed, Function<Fleet, Object> render) {
    String indexParam = ctx.queryParam("index");
    boolean consistent = "true".equals(ctx.queryParam("consistent"));
    CompletableFuture<Fleet> ready;
    if (indexParam == null) {
      ready = consistent
          ? replica.readBarrier().thenApply(rev -> replica.ledger().current())
          : CompletableFuture.completedFuture(replica.ledger().current());
    } else {
      long index = param(ctx, "index", Long::parseLong, 0L);
      Duration wait = param(ctx, "wait", s -> Durations.parse(s, "wait"), Duration.ofSeconds(60));
      if (wait.compareTo(MAX_WAIT) > 0) {
        throw ApiError.badRequest("wait " + Durations.format(wait) + " is longer than "
            + Durations.format(MAX_WAIT));
      }
      ready = awaitChange(index, System.nanoTime() + wait.toNanos(), changed);
    }
    ctx.future(() -> ready.handleAsync((f, error) -> {
      if (error != null && consistent) {
        // no leader to confirm the read index (an election): a retry, not an internal error
        error(ctx, 503, "no consistent read now (is a leader elected?): " + rootMessage(error)
            + "; retry");
        return null;
      }
      if (error != null) {
        throw error instanceof java.util.concurrent.CompletionException c ? c
            : new java.util.concurrent.CompletionException(error);
      }
      ctx.header("X-Dm-Index", Long.toString(f.revision()));
      ctx.json(render.apply(f));
      return null;
    }, responders));
  }

  private CompletableFuture<Fleet> awaitChange(long index, long deadline, Predicate<Fleet> changed) {
    long left = deadline - System.nanoTime();
    return replica.ledger().watch().await(index, Duration.ofNanos(Math.max(0, left)))
        .thenCompose(f -> f.revision() <= index || changed.test(f) || deadline - System.nanoTime() <= 0
            ? CompletableFuture.completedFuture(f)
            : awaitChange(f.revision(), deadline, changed));
  }

  private void postCommands(Context ctx) {
    Principal who = ctx.attribute("principal");
    String actor = actor(who, ctx.header(ON_BEHALF_OF));
    CommandBody.Read read = CommandBody.read(ctx.bodyAsBytes());
    List<DmCommand> commands = read.commands();
    boolean single = read.single();
    CommandPermissions.check(who, commands);
    replica.writesRefused().ifPresent(why -> {
      metrics.commandsUnavailable(commands.size());
      throw new ApiError(503, "writes refused, nothing changed: " + why);
    });
    long start = System.nanoTime();
    List<CompletableFuture<CommandResult>> answers = new ArrayList<>(commands.size());
    for (DmCommand c : commands) {
      answers.add(batcher.submit(new Proposal(actor, c)));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    ctx.future(() -> all.handleAsync((ok, error) -> {
      if (error != null) {
        metrics.commandsUnavailable(commands.size());
        Throwable root = error;
        while (root.getCause() != null && !(root instanceof WritesRefusedException)) {
          root = root.getCause();
        }
        if (root instanceof WritesRefusedException) {
          error(ctx, 503, "writes refused, nothing changed: " + root.getMessage());
          return null;
        }
        error(ctx, 503, "not committed (outcome unknown, retry with care): " + rootMessage(error));
        return null;
      }
      List<CommandResult> results = answers.stream().map(CompletableFuture::join).toList();
      metrics.commands(results, System.nanoTime() - start);
      if (single) {
        CommandResult r = results.get(0);
        ctx.status(r.accepted() ? 200 : statusOf(r));
        ctx.json(r);
      } else {
        ctx.json(results);
      }
      return null;
    }, responders));
  }

  /**
   * The actor recorded for commands of {@code who}: its name, or {@code <name>/<human>} when an
   * operator or admin principal says it acts on behalf of {@code human} (a lower-case name). Any
   * other principal naming someone, or a malformed name, is refused: 403 / 400.
   */
  static String actor(Principal who, String onBehalfOf) {
    if (onBehalfOf == null) {
      return who.name();
    }
    if (who.role() != Role.OPERATOR && who.role() != Role.ADMIN) {
      throw new ApiError(403, who.name() + " has role " + who.role() + " and may not act on "
          + "behalf of anyone (" + ON_BEHALF_OF + " needs an operator or admin token)");
    }
    if (!HUMAN_NAME.matcher(onBehalfOf).matches()) {
      throw ApiError.badRequest(ON_BEHALF_OF + " '" + (onBehalfOf.length() > 70
          ? onBehalfOf.substring(0, 70) + "..." : onBehalfOf) + "' is not a user name ("
          + HUMAN_NAME.pattern() + ")");
    }
    return who.name() + "/" + onBehalfOf;
  }

  private void listManifests(Context ctx) {
    String name = ctx.queryParam("name");
    blocking(ctx, f -> true, f -> Map.of("index", f.revision(), "items",
        f.manifests().values().stream()
            .filter(v -> name == null || v.manifest().name().equals(name))
            .map(DmApi::summary).toList()));
  }

  private void getManifest(Context ctx) {
    ManifestRef ref;
    try {
      ref = ManifestRef.parse(ctx.pathParam("ref"));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("manifest reference: " + e.getMessage());
    }
    blocking(ctx, f -> f.manifests().containsKey(ref), f -> {
      ManifestVersion v = f.manifests().get(ref);
      if (v == null) {
        throw new ApiError(404, "manifest " + ref + " is not registered");
      }
      return v;
    });
  }

  private static Map<String, Object> summary(ManifestVersion v) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ref", v.ref());
    out.put("machineType", v.manifest().machineType());
    out.put("digest", v.digest());
    out.put("files", v.manifest().files().size());
    out.put("bytes", v.manifest().totalBytes());
    out.put("apps", v.manifest().apps().stream().map(a -> a.name()).toList());
    out.put("origin", v.origin());
    out.put("registeredRevision", v.registeredRevision());
    out.put("registeredAt", v.registeredAt());
    return out;
  }

  private static int statusOf(CommandResult r) {
    return switch (r.code()) {
      case NOT_FOUND -> 404;
      case INVALID -> 422;
      default -> 409;
    };
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? "error" : message));
  }

  private static int limit(Context ctx, int dflt) {
    int limit = param(ctx, "limit", Integer::parseInt, dflt);
    if (limit < 1 || limit > FleetQueries.MAX_LIMIT) {
      throw ApiError.badRequest("limit " + limit + " is outside 1.." + FleetQueries.MAX_LIMIT);
    }
    return limit;
  }

  private static <T> T param(Context ctx, String name, Function<String, T> parse) {
    return param(ctx, name, parse, null);
  }

  private static <T> T param(Context ctx, String name, Function<String, T> parse, T dflt) {
    String raw = name.equals("id") ? ctx.pathParam(name) : ctx.queryParam(name);
    if (raw == null) {
      return dflt;
    }
    try {
      return parse.apply(raw);
    } catch (RuntimeException e) {
      throw ApiError.badRequest("parameter " + name + "='" + raw + "': " + e.getMessage());
    }
  }
}
