package org.autopilot.appmanager;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.Range;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogRunner;
import org.autopilot.watchdogs.WatchdogVerdict;

/**
 * Sends every watchdog round to the watchdog service: {@code POST {url}/api/v1/reports} with
 * the machine's token as Bearer and the body
 * <pre>
 *   {"machine": "m1", "watchdogs": [{"watchdog": "disk", "status": "OK", "text": "...",
 *     "consecutive": 3, "perfData": [{"label": "free", "value": 41.5, "uom": "%",
 *     "warn": "10:", "crit": "5:", "min": 0, "max": 100}]}, ...]}
 * </pre>
 * Every round goes out whole (the service compares and forwards changes; a round's arrival is
 * the heartbeat, its absence the missing one, so the agent has no {@code heartbeat} check of its
 * own in this mode). URLs are tried in order until one takes the report: a connection
 * error or a 5xx moves on to the next; a 503 naming the leader in {@code X-Watchdog-Leader}
 * makes that leader the first to try next time; the last URL that took a report comes next.
 */
final class ServiceWatchdogReporter implements WatchdogRunner.Sink {
  /** The header in which a follower names the leader's base URL. */
  static final String LEADER = "X-Watchdog-Leader";
  
  /** The request body. */
  record Report(String machine, List<Entry> watchdogs) {}

  /** One verdict in the body. */
  record Entry(String watchdog, Health status, String text, int consecutive, List<Perf> perfData) {}

  /** One perfdata item; ranges in the plugin guidelines' notation ({@code 10:}, {@code @5:9}). */
  record Perf(String label, Double value, String uom, String warn, String crit, Double min, Double max) {}

  private final String machine;
  private final String token;
  private final List<URI> urls;
  private final AgentFaults faults;
  private final HttpClient http;
  private final Duration timeout;
  private URI leader;
  private URI lastGood;
  private final ReportLog log;

  ServiceWatchdogReporter(String machine, String token, List<URI> urls, AgentFaults faults,
      Duration timeout) {
    this(machine, token, urls, faults, timeout, null);
  }

  /** As above, trusting the CAs of {@code trust} for {@code https://} URLs (null: the JDK's). */
  ServiceWatchdogReporter(String machine, String token, List<URI> urls, AgentFaults faults,
      Duration timeout, org.autopilot.tls.TrustBundle trust) {
    this.machine = machine;
    this.token = token;
    this.urls = urls.stream().map(ServiceWatchdogReporter::base).toList();
    this.faults = faults;
    this.timeout = timeout;
    this.log = new ReportLog(machine);
    this.http = org.autopilot.tls.TrustBundle.httpClient(trust).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public synchronized void accept(WatchdogRound round) {
    if (faults.lostHeartbeat()) {
      return;
    }
    byte[] body;
    try {
      faults.network();
      body = Json.mapper().writeValueAsBytes(new Report(machine,
          round.verdicts().stream().map(ServiceWatchdogReporter::entry).toList()));
    } catch (IOException e) {
      log.failed("watchdog report: " + e.getMessage());
      return;
    }
    List<String> errors = new ArrayList<>();
    for (URI url : order()) {
      String error = post(url, body);
      if (error == null) {
        lastGood = url;
        log.taken();
        return;
      }
      errors.add(error);
      if (error.startsWith("refused")) {
        break;
      }
    }
    log.failed("watchdog report not taken: " + String.join("; ", errors));
  }

  /** Where to try, in order: the named leader, the last that worked, then the configured ones. */
  private List<URI> order() {
    Set<URI> out = new LinkedHashSet<>();
    if (leader != null) {
      out.add(leader);
    }
    if (lastGood != null) {
      out.add(lastGood);
    }
    out.addAll(urls);
    return List.copyOf(out);
  }

  /** Posts; null when the service took it, else why not ({@code refused ...} for a 4xx). */
  private String post(URI url, byte[] body) {
    HttpRequest req = HttpRequest.newBuilder(url.resolve("api/v1/reports")).timeout(timeout)
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpResponse<String> res;
    try {
      res = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      if (url.equals(leader)) {
        leader = null;
      }
      return url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return url + ": interrupted";
    }
    int code = res.statusCode();
    if (code / 100 == 2) {
      return null;
    }
    if (url.equals(leader)) {
      leader = null;
    }
    String named = res.headers().firstValue(LEADER).orElse(null);
    if (code == 503 && named != null) {
      try {
        leader = base(URI.create(named.trim()));
      } catch (IllegalArgumentException e) {
        log.failed(url + ": bad " + LEADER + " header '" + clip(named) + "'");
      }
    }
    String why = url + ": HTTP " + code + (named == null ? "" : " (leader " + named + ")");
    return code / 100 == 5 ? why : "refused by " + why + " " + clip(res.body());
  }

  private static Entry entry(WatchdogVerdict v) {
    return new Entry(v.watchdog(), v.status(), v.text(), v.consecutive(),
        v.perfData().stream().map(ServiceWatchdogReporter::perf).toList());
  }

  private static Perf perf(PerfData p) {
    return new Perf(p.label(), p.value(), p.uom(), range(p.warn()), range(p.crit()), p.min(), p.max());
  }

  private static String range(Range r) {
    return r == null ? null : r.format();
  }

  /** {@code http://h:p} and {@code http://h:p/} both as {@code http://h:p/}. */
  private static URI base(URI u) {
    String s = u.toString();
    return URI.create(s.endsWith("/") ? s : s + "/");
  }

  private static String clip(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
  }

  /** How many reports were taken. */
  int sent() {
    return log.sent();
  }

  /** Why the last report was not taken, or empty. */
  String lastError() {
    return log.lastError();
  }
}
