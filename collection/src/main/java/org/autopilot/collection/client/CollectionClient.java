package org.autopilot.collection.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.collection.model.Counter;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.model.Point;
import org.autopilot.collection.model.Series;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.tls.TrustBundle;

/** Reads from one collection replica with a viewer (or higher) token. */
public final class CollectionClient {
  private final String base;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = Json.lenient();

  /** A client of the replica at {@code base} ({@code http://host:7601}). */
  public CollectionClient(String base, String token) {
    this(base, token, null);
  }

  /** As above, trusting the CAs of {@code trust} for an {@code https://} replica (null: the JDK's). */
  public CollectionClient(String base, String token, TrustBundle trust) {
    this.http = TrustBundle.httpClient(trust).connectTimeout(Duration.ofSeconds(5)).build();
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  /** {@code GET /api/v1/counters}: a machine's series, or ({@code machine == null}) the fleet's counter names. */
  public List<Counter> counters(String machine) throws IOException {
    JsonNode n = get("/api/v1/counters" + (machine == null ? "" : "?machine=" + enc(machine)));
    List<Counter> out = new ArrayList<>();
    n.path("counters").forEach(c -> out.add(new Counter(c.path("machine").asText(), c.path("app").asText(),
        c.path("counter").asText())));
    return out;
  }

  /** {@code GET /api/v1/series}; {@code app}, {@code from}, {@code to}, {@code step} may be null. */
  public List<Series> series(List<String> machines, String counter, String app, String from, String to,
      String step) throws IOException {
    StringBuilder q = new StringBuilder("/api/v1/series?counter=").append(enc(counter));
    machines.forEach(m -> q.append("&machine=").append(enc(m)));
    param(q, "app", app);
    param(q, "from", from);
    param(q, "to", to);
    param(q, "step", step);
    List<Series> out = new ArrayList<>();
    for (JsonNode s : get(q.toString()).path("series")) {
      List<Point> points = new ArrayList<>();
      s.path("points").forEach(p -> points.add(new Point(p.get(0).asLong(), p.get(1).asDouble(),
          p.get(2).asDouble(), p.get(3).asDouble())));
      out.add(new Series(s.path("machine").asText(), s.path("app").asText(), s.path("counter").asText(),
          s.path("step").asText(), s.path("bucketMs").asLong(), points));
    }
    return out;
  }

  /** {@code GET /api/v1/logs}, newest first; any filter may be null. */
  public List<LogLine> logs(String machine, String app, String level, String text, String from, String to,
      Integer limit) throws IOException {
    StringBuilder q = new StringBuilder("/api/v1/logs?");
    param(q, "machine", machine);
    param(q, "app", app);
    param(q, "level", level);
    param(q, "q", text);
    param(q, "from", from);
    param(q, "to", to);
    param(q, "limit", limit == null ? null : limit.toString());
    List<LogLine> out = new ArrayList<>();
    for (JsonNode l : get(q.toString()).path("lines")) {
      out.add(new LogLine(l.path("t").asLong(), l.path("machine").asText(), l.path("app").asText(),
          l.path("level").asText(), l.path("text").asText()));
    }
    return out;
  }

  /** {@code GET /api/v1/status} as JSON. */
  public JsonNode status() throws IOException {
    return get("/api/v1/status");
  }

  private static void param(StringBuilder q, String key, String value) {
    if (value != null) {
      q.append(q.charAt(q.length() - 1) == '?' ? "" : "&").append(key).append('=').append(enc(value));
    }
  }

  private JsonNode get(String pathAndQuery) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (r.statusCode() != 200) {
      String why = r.body();
      try {
        why = json.readTree(r.body()).path("error").asText(why);
      } catch (IOException e) {
        // not JSON
      }
      throw new IOException(base + pathAndQuery + ": HTTP " + r.statusCode() + ": " + why);
    }
    return json.readTree(r.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
