package org.autopilot.collection.service;

import org.autopilot.devicemanager.api.MachineTokens;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.autopilot.collection.model.CounterKey;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.model.Step;
import org.autopilot.collection.store.CollectionQueries;
import org.autopilot.collection.store.CollectionStore;
import org.autopilot.collection.store.IngestWriter;
import org.autopilot.collection.wire.BadBatch;
import org.autopilot.collection.wire.Batch;
import org.autopilot.collection.wire.BatchParser;
import org.autopilot.devicemanager.api.Principal;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.core.Json;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a replica: {@code POST /api/v1/ingest} from machines (machine tokens only,
 * each for itself), the read API for viewers and up ({@code counters}, {@code series},
 * {@code logs}; machine tokens may not read), {@code GET /api/v1/status} and {@code /healthz}
 * (open). Errors are {@code {"error": "..."}} with a status that says whose fault it is.
 */
final class CollectionApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CollectionApi.class);
  /** How long a machine waits for its batch to be committed. */
  private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);
  /** Longest range one series or log query covers. */
  private static final Duration MAX_RANGE = Duration.ofDays(400);

  private final CollectionService service;
  private final CollectionStore store;
  private final CollectionQueries queries;
  private final IngestWriter writer;
  private final BatchParser parser;
  private final TokenAuthenticator readers;
  private final MachineTokens machines;
  private final InstantSource clock;
  private final Javalin app;

  CollectionApi(CollectionService service, CollectionStore store, IngestWriter writer, BatchParser parser,
      TokenAuthenticator readers, MachineTokens machines, InstantSource clock) {
    this.service = service;
    this.store = store;
    this.queries = new CollectionQueries(store);
    this.writer = writer;
    this.parser = parser;
    this.readers = readers;
    this.machines = machines;
    this.clock = clock;
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = parser.limits().maxBodyBytes();
      cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
      QueuedThreadPool threads = new QueuedThreadPool(64, 4, 60_000);
      threads.setName("collection-http");
      cfg.jetty.threadPool = threads;
    });
    app.post("/api/v1/ingest", this::ingest);
    app.get("/api/v1/counters", this::counters);
    app.get("/api/v1/series", this::series);
    app.get("/api/v1/logs", this::logs);
    app.get("/api/v1/status", ctx -> ctx.json(service.status()));
    app.get("/healthz", ctx -> ctx.result("ok"));
    app.exception(BadRequest.class, (e, ctx) -> error(ctx, e.status, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
      error(ctx, 500, "internal error: " + e.getClass().getSimpleName());
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        error(ctx, 404, "no such resource: " + ctx.method() + " " + ctx.path());
      }
    });
  }

  /** Starts serving on {@code host:port} (0: a free port); HTTPS only with {@code identity} (null: HTTP). */
  CollectionApi start(String host, int port, org.autopilot.tls.ServerIdentity identity) {
    org.autopilot.tls.Https.start(app, identity, host, port);
    return this;
  }

  /** The port served on. */
  int port() {
    return app.port();
  }

  private void ingest(Context ctx) throws IOException {
    Optional<String> who = machines.machine(ctx.header("Authorization"));
    if (who.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"autopilot\"");
      refuse(ctx, 401, "missing or invalid machine token (header 'Authorization: Bearer machine:<id>:<hmac>')");
      return;
    }
    String encoding = ctx.header("Content-Encoding");
    boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
    if (encoding != null && !gzip && !encoding.trim().equalsIgnoreCase("identity")) {
      refuse(ctx, 415, "Content-Encoding '" + encoding + "' is not supported (gzip or identity)");
      return;
    }
    byte[] body = body(ctx, parser.limits().maxBodyBytes());
    if (body == null) {
      refuse(ctx, 413, "body larger than " + parser.limits().maxBodyBytes() + " bytes");
      return;
    }
    Batch batch;
    try {
      batch = parser.parse(body, gzip, clock.instant());
    } catch (BadBatch e) {
      refuse(ctx, e.status(), e.getMessage());
      return;
    }
    if (!batch.machine().equals(who.get())) {
      refuse(ctx, 403, "the token of machine " + who.get() + " may only send data of " + who.get()
          + ", not of " + batch.machine());
      return;
    }
    int[] ids = store.seriesIds(batch.machine(), batch.samples());
    CompletableFuture<Void> done;
    try {
      done = writer.submit(batch, ids);
    } catch (IngestWriter.Full e) {
      service.busy.incrementAndGet();
      ctx.header("Retry-After", "1");
      error(ctx, 503, e.getMessage());
      return;
    }
    try {
      done.get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      service.busy.incrementAndGet();
      ctx.header("Retry-After", "1");
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      error(ctx, 503, "not stored (send again): " + cause.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ctx, 503, "interrupted; send again");
      return;
    }
    service.accepted.incrementAndGet();
    ctx.json(Map.of("samples", batch.sampleCount(), "logs", batch.logs().size()));
  }

  private void counters(Context ctx) {
    reader(ctx);
    String machine = ctx.queryParam("machine");
    if (machine != null) {
      name(machine, "machine");
    }
    ctx.json(Map.of("counters", queries.counters(machine)));
  }

  private void series(Context ctx) {
    reader(ctx);
    List<String> ms = ctx.queryParams("machine");
    if (ms.isEmpty() || ms.size() > 100) {
      throw new BadRequest(400, "machine: give 1..100 machine parameters");
    }
    ms.forEach(m -> name(m, "machine"));
    String counter = ctx.queryParam("counter");
    if (counter == null || !CounterKey.COUNTER.matcher(counter).matches()) {
      throw new BadRequest(400, "counter '" + counter + "' is missing or not a counter name");
    }
    String app = ctx.queryParam("app");
    if (app != null && !app.isEmpty()) {
      name(app, "app");
    }
    long[] range = range(ctx);
    String stepText = Optional.ofNullable(ctx.queryParam("step")).orElse("auto").toLowerCase(Locale.ROOT);
    Step step;
    switch (stepText) {
      case "auto" -> step = null;
      case "raw" -> step = Step.RAW;
      case "minute" -> step = Step.MINUTE;
      case "hour" -> step = Step.HOUR;
      default -> throw new BadRequest(400, "step '" + stepText + "' is not auto, raw, minute or hour");
    }
    if (step == Step.RAW && range[1] - range[0] > Duration.ofDays(1).toMillis()) {
      throw new BadRequest(400, "step=raw covers at most 1d; use auto, minute or hour");
    }
    ctx.json(Map.of("series", queries.series(new CollectionQueries.SeriesRequest(ms, counter, app,
        range[0], range[1], step))));
  }

  private void logs(Context ctx) {
    reader(ctx);
    String machine = blankToNull(ctx.queryParam("machine"));
    if (machine != null) {
      name(machine, "machine");
    }
    String app = ctx.queryParam("app");
    if (app != null && !app.isEmpty()) {
      name(app, "app");
    }
    String level = blankToNull(ctx.queryParam("level"));
    if (level != null) {
      level = level.toUpperCase(Locale.ROOT);
      if (!LogLine.LEVELS.contains(level)) {
        throw new BadRequest(400, "level '" + level + "' is not one of TRACE, DEBUG, INFO, WARN, ERROR");
      }
    }
    String q = blankToNull(ctx.queryParam("q"));
    if (q != null && q.length() > 200) {
      throw new BadRequest(400, "q is longer than 200 characters");
    }
    int limit = 100;
    String l = ctx.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > CollectionQueries.MAX_LOG_LINES) {
        throw new BadRequest(400, "limit '" + l + "' must be 1.." + CollectionQueries.MAX_LOG_LINES);
      }
    }
    long[] range = range(ctx);
    ctx.json(Map.of("lines", queries.logs(new CollectionQueries.LogRequest(machine, app, level, q,
        range[0], range[1], limit))));
  }

  /** {@code from} and {@code to} (ISO-8601 or epoch ms); default: the last hour. */
  private long[] range(Context ctx) {
    long now = clock.millis();
    long to = time(ctx.queryParam("to"), "to", now + 1);
    long from = time(ctx.queryParam("from"), "from", to - Duration.ofHours(1).toMillis());
    if (from >= to) {
      throw new BadRequest(400, "from must be before to");
    }
    if (to - from > MAX_RANGE.toMillis()) {
      throw new BadRequest(400, "the range covers more than " + MAX_RANGE.toDays() + " days");
    }
    return new long[] {from, to};
  }

  /** Epoch milliseconds or ISO-8601 ({@code 2024-05-01T12:00:00Z}, with an offset). */
  static long time(String text, String key, long dflt) {
    if (text == null || text.isBlank()) {
      return dflt;
    }
    String s = text.trim();
    if (s.matches("-?\\d{1,15}")) {
      return Long.parseLong(s);
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(s).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new BadRequest(400, key + " '" + s + "' is neither epoch milliseconds nor ISO-8601 "
            + "(2024-05-01T12:00:00Z)");
      }
    }
  }

  /** Admits viewers and up; machine tokens may not read. */
  private void reader(Context ctx) {
    Optional<Principal> p = readers.authenticate(ctx.header("Authorization"));
    if (p.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"autopilot\"");
      throw new BadRequest(401, "missing or unknown bearer token");
    }
    if (p.get().role() == Role.MACHINE) {
      throw new BadRequest(403, "machine tokens may not read the collection (" + p.get().name() + ")");
    }
  }

  private static void name(String value, String key) {
    if (!CounterKey.NAME.matcher(value).matches()) {
      throw new BadRequest(400, key + " '" + value + "' is not a valid name");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** The body, or null if it is larger than {@code max} (chunked bodies included). */
  private static byte[] body(Context ctx, int max) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      return null;
    }
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared >= 0) {
        byte[] b = new byte[(int) declared];
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length ? b : java.util.Arrays.copyOf(b, n);
      }
      byte[] b = in.readNBytes(max + 1);
      return b.length > max ? null : b;
    }
  }

  private void refuse(Context ctx, int status, String message) {
    service.refused.incrementAndGet();
    error(ctx, status, message);
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? "error" : message));
  }

  /** A request refused with a status and a message. */
  static final class BadRequest extends RuntimeException {
    final int status;

    BadRequest(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  @Override
  public void close() {
    app.stop();
  }
}
