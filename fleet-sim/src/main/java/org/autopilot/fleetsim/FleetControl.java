package org.autopilot.fleetsim;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated fleet's control API, what a data center's BMCs and a chaos tool would offer:
 * list machines, add one, power on/off, inject and clear faults. Loopback only, bearer token.
 *
 * <pre>
 * GET    /fleet/machines
 * POST   /fleet/machines                     {"id": "sim-21", "port": 0}
 * POST   /fleet/machines/{id}/power/{on|off}
 * POST   /fleet/machines/{id}/faults/{FAULT}  inject (DISK_ERROR, CRASHING_APP, HUNG_AGENT,
 * DELETE /fleet/machines/{id}/faults/{FAULT}  clear   LOST_HEARTBEAT, SLOW_NETWORK, DEAD_NETWORK)
 * </pre>
 */
public final class FleetControl implements AutoCloseable {
  private final SimulatedFleet fleet;
  private final byte[] token;
  private final Javalin app;

  /** A control API over {@code fleet}, accepting only {@code token}. */
  public FleetControl(SimulatedFleet fleet, String token) {
    this.fleet = fleet;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.maxRequestSize = 4096L;
    });
    app.before(this::authenticate);
    app.get("/fleet/machines", ctx -> ctx.json(fleet.machines().stream().map(FleetControl::view).toList()));
    app.post("/fleet/machines", this::add);
    app.post("/fleet/machines/{id}/power/{state}", this::power);
    app.post("/fleet/machines/{id}/faults/{fault}", ctx -> fault(ctx, true));
    app.delete("/fleet/machines/{id}/faults/{fault}", ctx -> fault(ctx, false));
    app.exception(IllegalArgumentException.class, (e, ctx) ->
        ctx.status(400).json(Map.of("error", String.valueOf(e.getMessage()))));
    app.exception(Exception.class, (e, ctx) ->
        ctx.status(500).json(Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage())));
  }

  /** Serves on 127.0.0.1:{@code port} (0 = any free port). */
  public FleetControl start(int port) {
    app.start("127.0.0.1", port);
    return this;
  }

  /** The port served on. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private void authenticate(Context ctx) {
    String h = ctx.header("Authorization");
    byte[] given = h != null && h.startsWith("Bearer ")
        ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(given, token)) {
      ctx.status(401).json(Map.of("error", "missing or wrong bearer token"));
      ctx.skipRemainingHandlers();
    }
  }

  private void add(Context ctx) throws IOException {
    Map<?, ?> body;
    try {
      body = ctx.bodyAsClass(Map.class);
    } catch (Exception e) { // Jackson's IOException arrives undeclared through Kotlin
      throw new IllegalArgumentException("body is not a JSON object: " + e.getMessage());
    }
    Object id = body.get("id");
    Object port = body.containsKey("port") ? body.get("port") : Integer.valueOf(0);
    if (!(id instanceof String s) || !(port instanceof Integer p) || p < 0 || p > 65535) {
      throw new IllegalArgumentException("body must be {\"id\": \"sim-21\", \"port\": 0..65535}");
    }
    ctx.status(201).json(view(fleet.add(s, p)));
  }

  private void power(Context ctx) {
    SimulatedMachine m = machine(ctx);
    switch (ctx.pathParam("state")) {
      case "on" -> m.powerOn();
      case "off" -> m.powerOff();
      default -> throw new IllegalArgumentException("power state must be on or off");
    }
    ctx.json(view(m));
  }

  private void fault(Context ctx, boolean inject) {
    SimulatedMachine m = machine(ctx);
    Fault f;
    try {
      f = Fault.valueOf(ctx.pathParam("fault").toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown fault '" + ctx.pathParam("fault") + "'; one of "
          + List.of(Fault.values()));
    }
    if (inject) {
      m.inject(f);
    } else {
      m.clear(f);
    }
    ctx.json(view(m));
  }

  private SimulatedMachine machine(Context ctx) {
    SimulatedMachine m = fleet.machine(ctx.pathParam("id"));
    if (m == null) {
      throw new IllegalArgumentException("no simulated machine '" + ctx.pathParam("id") + "'");
    }
    return m;
  }

  private static Map<String, Object> view(SimulatedMachine m) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", m.id());
    v.put("ssh", "127.0.0.1:" + m.port());
    v.put("power", m.power().name());
    v.put("boots", m.boots());
    v.put("faults", m.faults());
    return v;
  }
}
