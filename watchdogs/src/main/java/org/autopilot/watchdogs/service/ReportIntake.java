package org.autopilot.watchdogs.service;

import org.autopilot.devicemanager.api.MachineTokens;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.watchdogs.service.FleetVerdicts.Outcome;
import org.autopilot.watchdogs.service.ReportParser.BadReport;
import org.autopilot.watchdogs.service.ReportParser.IntakeReport;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the service: {@code POST /api/v1/reports} from machines (machine tokens only,
 * each speaking for itself), {@code GET /api/v1/status} and {@code /healthz}. A report is
 * answered as soon as it is taken into memory; the DM hears of it later, from the forwarder.
 * A replica that does not lead answers 503 and names the leader in {@code X-Watchdog-Leader}.
 */
final class ReportIntake implements AutoCloseable {
  /** The header naming the leading replica's base URL on a 503. */
  static final String LEADER_HEADER = "X-Watchdog-Leader";
  private static final Logger LOG = LoggerFactory.getLogger(ReportIntake.class);
  private static final byte[] NO_CHANGE = "{\"accepted\":true,\"changes\":0}".getBytes(StandardCharsets.UTF_8);

  private final WatchdogService service;
  private final MachineTokens tokens;
  private final Javalin app;
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong redirected = new AtomicLong();

  ReportIntake(WatchdogService service, MachineTokens tokens) {
    this.service = service;
    this.tokens = tokens;
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = ReportParser.MAX_BODY;
      cfg.http.disableCompression();
      cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
      QueuedThreadPool threads = new QueuedThreadPool(32, 4, 60_000);
      threads.setName("wd-http");
      cfg.jetty.threadPool = threads;
      // every report carries another machine's token: Jetty's per-connection header cache
      // would only churn
      cfg.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheSize(0));
    });
    app.post("/api/v1/reports", this::report);
    app.get("/api/v1/status", ctx -> ctx.json(service.status()));
    app.get("/healthz", ctx -> ctx.result("ok"));
    app.exception(BadReport.class, (e, ctx) -> refuse(ctx, 400, e.getMessage()));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
      refuse(ctx, 500, "internal error: " + e.getClass().getSimpleName());
    });
    app.error(404, ctx -> {
      if (ctx.result() == null) {
        error(ctx, 404, "no such resource: " + ctx.method() + " " + ctx.path());
      }
    });
    app.error(413, ctx -> error(ctx, 413, "report larger than " + ReportParser.MAX_BODY + " bytes"));
  }

  /** Starts serving on {@code host:port} (0: a free port). */
  ReportIntake start(String host, int port) {
    return start(host, port, null);
  }

  /** Starts serving on {@code host:port}, HTTPS only with {@code identity} (null: plain HTTP). */
  ReportIntake start(String host, int port, org.autopilot.tls.ServerIdentity identity) {
    org.autopilot.tls.Https.start(app, identity, host, port);
    return this;
  }

  /** The port served on. */
  int port() {
    return app.port();
  }

  private void report(Context ctx) throws IOException {
    WatchdogService.Term term = service.readyTerm();
    if (term == null) {
      notLeading(ctx);
      return;
    }
    Optional<String> who = tokens.machine(ctx.header("Authorization"));
    if (who.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"autopilot\"");
      refuse(ctx, 401, "missing or invalid machine token (header 'Authorization: Bearer "
          + "machine:<id>:<hmac>')");
      return;
    }
    byte[] body = body(ctx);
    if (body == null) {
      refuse(ctx, 413, "report larger than " + ReportParser.MAX_BODY + " bytes");
      return;
    }
    IntakeReport r = ReportParser.parse(body);
    if (!r.machine().value().equals(who.get())) {
      refuse(ctx, 403, "the token of machine " + who.get() + " may only report about " + who.get()
          + ", not " + r.machine());
      return;
    }
    Outcome o = term.verdicts().report(r);
    if (o.lookup()) {
      service.lookup(term, r.machine());
    }
    switch (o.kind()) {
      case ACCEPTED -> {
        accepted.incrementAndGet();
        // written straight to the servlet response: Javalin's result stream copies through a
        // fresh buffer per request, which at 10,000 reports/s was most of the garbage
        byte[] answer = o.changes() == 0 ? NO_CHANGE
            : ("{\"accepted\":true,\"changes\":" + o.changes() + "}").getBytes(StandardCharsets.UTF_8);
        ctx.res().setStatus(200);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(answer.length);
        ctx.res().getOutputStream().write(answer);
      }
      case NOT_REGISTERED -> refuse(ctx, 404, o.detail());
      default -> refuse(ctx, 400, o.detail());
    }
  }

  private void notLeading(Context ctx) {
    redirected.incrementAndGet();
    String leader = service.leaderUrl();
    ctx.header("Retry-After", "1");
    if (leader != null) {
      ctx.header(LEADER_HEADER, leader);
      error(ctx, 503, "not the leader: send reports to " + leader);
    } else {
      error(ctx, 503, service.leading() ? "becoming the leader: reading the fleet from the DM"
          : "not the leader, and no leader is known yet");
    }
  }

  /** The body, or null if it is larger than the limit (chunked bodies included). */
  private static byte[] body(Context ctx) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > ReportParser.MAX_BODY) {
      return null;
    }
    try (InputStream in = ctx.req().getInputStream()) {
      if (declared >= 0) {
        byte[] b = new byte[(int) declared];
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length ? b : java.util.Arrays.copyOf(b, n);
      }
      byte[] b = in.readNBytes(ReportParser.MAX_BODY + 1);
      return b.length > ReportParser.MAX_BODY ? null : b;
    }
  }

  private void refuse(Context ctx, int status, String message) {
    refused.incrementAndGet();
    error(ctx, status, message);
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? "error" : message));
  }

  @Override
  public void close() {
    app.stop();
  }
}
