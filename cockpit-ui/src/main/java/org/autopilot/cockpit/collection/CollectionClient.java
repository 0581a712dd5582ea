package org.autopilot.cockpit.collection;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Map;
import org.autopilot.devicemanager.core.Json;

/**
 * A client of the collection service's query API ({@code /api/v1/counters}, {@code /series},
 * {@code /logs}), bearer token, each replica tried in turn. Never throws at its callers: an
 * answer is either the service's JSON or a {@link Answer#problem()} a page can show
 * ("collection not configured", "collection unreachable: ...").
 */
public final class CollectionClient {
  private final List<URI> bases;
  private final String token;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * The service's answer, or why there is none.
   *
   * @param json the answer's JSON, or null
   * @param problem why there is no answer, or null
   */
  public record Answer(JsonNode json, String problem) {
    /** True when there is an answer. */
    public boolean ok() {
      return json != null;
    }
  }

  /** A client of the replicas at {@code urls} (e.g. {@code http://127.0.0.1:7601}); empty: none. */
  public CollectionClient(List<String> urls, String token, Duration timeout) {
    this(urls, token, timeout, null);
  }

  /** As above, trusting the CAs of {@code trust} for {@code https://} URLs (null: the JDK's). */
  public CollectionClient(List<String> urls, String token, Duration timeout,
      org.autopilot.tls.TrustBundle trust) {
    this.bases = urls.stream().filter(u -> !u.isBlank())
        .map(u -> URI.create(u.endsWith("/") ? u : u + "/")).toList();
    this.token = token;
    this.timeout = timeout;
    this.http = org.autopilot.tls.TrustBundle.httpClient(trust).connectTimeout(timeout).build();
  }

  /** Whether any collection service is configured. */
  public boolean configured() {
    return !bases.isEmpty();
  }

  /** Counters a machine reports, or fleet-wide distinct names when {@code machine} is null. */
  public Answer counters(String machine) {
    return get("api/v1/counters", machine == null ? List.of() : List.of(Map.entry("machine", machine)));
  }

  /** Time series of {@code counter} on {@code machines}; {@code from}/{@code to} ISO-8601 or epoch ms. */
  public Answer series(List<String> machines, String counter, String app, String from, String to,
      String step) {
    List<Map.Entry<String, String>> q = new ArrayList<>();
    machines.forEach(m -> q.add(Map.entry("machine", m)));
    add(q, "counter", counter);
    add(q, "app", app);
    add(q, "from", from);
    add(q, "to", to);
    add(q, "step", step);
    return get("api/v1/series", q);
  }

  /** Log lines, newest constraints given by the non-null parameters. */
  public Answer logs(String machine, String app, String level, String text, String from, String to,
      int limit) {
    List<Map.Entry<String, String>> q = new ArrayList<>();
    add(q, "machine", machine);
    add(q, "app", app);
    add(q, "level", level);
    add(q, "q", text);
    add(q, "from", from);
    add(q, "to", to);
    q.add(Map.entry("limit", Integer.toString(limit)));
    return get("api/v1/logs", q);
  }

  private static void add(List<Map.Entry<String, String>> q, String k, String v) {
    if (v != null && !v.isBlank()) {
      q.add(Map.entry(k, v));
    }
  }

  private Answer get(String path, List<Map.Entry<String, String>> query) {
    if (bases.isEmpty()) {
      return new Answer(null, "collection not configured (autopilot.collection.urls)");
    }
    StringBuilder p = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : query) {
      p.append(sep).append(e.getKey()).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    String last = null;
    for (URI base : bases) {
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(p.toString())).timeout(timeout)
            .header("Accept", "application/json");
        if (token != null) {
          b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> r = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 200) {
          return new Answer(Json.lenient().readTree(r.body()), null);
        }
        String body = new String(r.body(), StandardCharsets.UTF_8);
        last = "collection at " + base + " answered HTTP " + r.statusCode() + ": "
            + (body.length() > 200 ? body.substring(0, 200) : body);
        if (r.statusCode() < 500) {
          break;
        }
      } catch (IOException e) {
        last = "collection unreachable at " + base + ": " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Answer(null, "interrupted");
      }
    }
    return new Answer(null, last);
  }
}
