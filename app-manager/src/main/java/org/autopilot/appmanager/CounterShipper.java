package org.autopilot.appmanager;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.WatchdogRound;
import org.autopilot.watchdogs.WatchdogRunner;
import org.autopilot.watchdogs.WatchdogVerdict;

/**
 * Ships the machine's counters and logs to the collection service. Every {@code interval} it
 * samples the OS counters, each app's ({@code app.up}, {@code app.restarts},
 * {@code app.uptime_s}) and its own, reads new lines of the apps' output, and sends what it
 * holds as gzip-compressed JSON batches ({@code POST /api/v1/ingest}, machine token) to the
 * first URL that takes them: the last one that did, then the others in order. Every perfdata
 * value a watchdog round reports becomes a sample ({@code wd.WATCHDOG.LABEL}); the agent's own
 * events (apps started, exited, manifests switched) become log lines of app {@code ""}.
 *
 * <p>What cannot be sent waits in two bounded buffers; when one is full the oldest entries go
 * and are counted ({@code agent.collection.dropped_samples}, {@code ..._lines}), so a long
 * outage costs old data, never unbounded memory. A batch the service refuses as malformed is
 * dropped (sending it again would not help); one it cannot take now is kept.
 */
final class CounterShipper implements WatchdogRunner.Sink, AgentEvents, AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();
  /** Most batches sent per tick while catching up. */
  private static final int MAX_BATCHES_PER_TICK = 20;

  private record Sample(String app, String counter, long t, double v) {}

  private record Line(long t, String app, String level, String text) {}

  /**
   * One app's figures at a tick.
   *
   * @param name the app
   * @param up whether it runs
   * @param restarts restarts so far
   * @param uptimeMillis how long the current process has run (0 when none)
   */
  record AppFigures(String name, boolean up, int restarts, long uptimeMillis) {}

  private final String machine;
  private final String token;
  private final CollectionConfig config;
  private final OsCounters os;
  private final Supplier<List<AppFigures>> apps;
  private final AppLogTail tail;
  private final InstantSource clock;
  private final AgentFaults faults;
  private final HttpClient http;
  private final List<URI> urls;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private final ArrayDeque<Line> lines = new ArrayDeque<>();
  private long sampleHead;
  private long lineHead;
  private long droppedSamples;
  private long droppedLines;
  private long batches;
  private long sentSamples;
  private long sentLines;
  private long refused;
  private volatile URI lastGood;
  private volatile String lastError = "";
  private volatile boolean running = true;
  private volatile ScheduledExecutorService timer;

  CounterShipper(String machine, String token, CollectionConfig config, OsCounters os,
      Supplier<List<AppFigures>> apps, java.nio.file.Path logs, InstantSource clock, AgentFaults faults,
      org.autopilot.tls.TrustBundle trust) {
    this.machine = machine;
    this.token = token;
    this.config = config;
    this.os = os;
    this.apps = apps;
    this.tail = new AppLogTail(logs);
    this.clock = clock;
    this.faults = faults;
    this.urls = config.urls().stream().map(CounterShipper::base).toList();
    this.http = org.autopilot.tls.TrustBundle.httpClient(trust).connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Ticks on a thread of its own every interval while {@code active} holds. */
  void start(BooleanSupplier active) {
    ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "app-manager-" + machine + "-collection");
      t.setDaemon(true);
      return t;
    });
    this.timer = timer;
    long every = config.interval().toMillis();
    timer.scheduleWithFixedDelay(() -> {
      if (running && active.getAsBoolean()) {
        try {
          tick();
        } catch (RuntimeException e) {
          lastError = "collection tick: " + e;
        }
      }
    }, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
  }

  /** Samples, reads logs and sends. */
  void tick() {
    long now = clock.millis();
    os.read(now, (counter, v) -> add("", counter, now, v));
    for (AppFigures a : apps.get()) {
      add(a.name(), "app.up", now, a.up() ? 1 : 0);
      add(a.name(), "app.restarts", now, a.restarts());
      add(a.name(), "app.uptime_s", now, a.uptimeMillis() / 1000.0);
    }
    synchronized (this) {
      add("", "agent.collection.dropped_samples", now, droppedSamples);
      add("", "agent.collection.dropped_lines", now, droppedLines);
      add("", "agent.collection.buffered_samples", now, samples.size());
    }
    tail.poll((app, level, text) -> line(now, app, level, text));
    ship();
  }

  @Override
  public void accept(WatchdogRound round) {
    long t = round.at().toEpochMilli();
    for (WatchdogVerdict v : round.verdicts()) {
      for (PerfData p : v.perfData()) {
        if (p.value() != null && Double.isFinite(p.value())) {
          add("", counterName("wd." + v.watchdog() + "." + p.label()), t, p.value());
        }
      }
    }
  }

  @Override
  public void event(String app, String level, String text) {
    line(clock.millis(), app, level, text);
  }

  private synchronized void add(String app, String counter, long t, double v) {
    if (!Double.isFinite(v)) {
      return;
    }
    if (samples.size() >= config.bufferSamples()) {
      samples.pollFirst();
      sampleHead++;
      droppedSamples++;
    }
    samples.addLast(new Sample(app, counter, t, v));
  }

  private synchronized void line(long t, String app, String level, String text) {
    if (lines.size() >= config.bufferLogs()) {
      lines.pollFirst();
      lineHead++;
      droppedLines++;
    }
    lines.addLast(new Line(t, app, level, text.length() > AppLogTail.MAX_LINE
        ? text.substring(0, AppLogTail.MAX_LINE) : text.replace('\0', '\uFFFD')));
  }

  /** Sends batches until the buffers are empty, a send fails, or the per-tick bound is reached. */
  void ship() {
    for (int i = 0; i < MAX_BATCHES_PER_TICK && running; i++) {
      List<Sample> s;
      List<Line> l;
      long sFrom;
      long lFrom;
      synchronized (this) {
        if (samples.isEmpty() && lines.isEmpty()) {
          return;
        }
        sFrom = sampleHead;
        lFrom = lineHead;
        s = new ArrayList<>(Math.min(samples.size(), config.maxBatchSamples()));
        for (Sample x : samples) {
          if (s.size() == config.maxBatchSamples()) {
            break;
          }
          s.add(x);
        }
        l = new ArrayList<>(Math.min(lines.size(), config.maxBatchLogs()));
        for (Line x : lines) {
          if (l.size() == config.maxBatchLogs()) {
            break;
          }
          l.add(x);
        }
      }
      Outcome o = send(encode(s, l));
      if (o == Outcome.FAILED) {
        return;
      }
      synchronized (this) {
        // drop what went (unless the full buffer dropped it meanwhile)
        while (sampleHead < sFrom + s.size() && !samples.isEmpty()) {
          samples.pollFirst();
          sampleHead++;
        }
        while (lineHead < lFrom + l.size() && !lines.isEmpty()) {
          lines.pollFirst();
          lineHead++;
        }
        if (o == Outcome.TAKEN) {
          batches++;
          sentSamples += s.size();
          sentLines += l.size();
        } else {
          refused++;
        }
      }
    }
  }

  private enum Outcome { TAKEN, REFUSED, FAILED }

  /** Tries the URLs in order; TAKEN, REFUSED (malformed: drop it) or FAILED (keep it). */
  private Outcome send(byte[] body) {
    List<String> errors = new ArrayList<>();
    try {
      faults.network();
    } catch (IOException e) {
      lastError = "collection: " + e.getMessage();
      return Outcome.FAILED;
    }
    for (URI url : order()) {
      HttpRequest req = HttpRequest.newBuilder(url.resolve("api/v1/ingest")).timeout(config.timeout())
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      try {
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        int code = res.statusCode();
        if (code / 100 == 2) {
          lastGood = url;
          lastError = "";
          return Outcome.TAKEN;
        }
        String why = url + ": HTTP " + code + " " + clip(res.body());
        if (code == 400 || code == 413) {
          lastError = "collection refused a batch (dropped): " + why;
          return Outcome.REFUSED;
        }
        errors.add(why);
      } catch (IOException e) {
        errors.add(url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        errors.add(url + ": interrupted");
        break;
      }
    }
    lastError = "collection: batch not taken: " + String.join("; ", errors);
    return Outcome.FAILED;
  }

  private List<URI> order() {
    Set<URI> out = new LinkedHashSet<>();
    if (lastGood != null) {
      out.add(lastGood);
    }
    out.addAll(urls);
    return List.copyOf(out);
  }

  /** The batch as gzip-compressed JSON (see docs/collection.md, wire format). */
  private byte[] encode(List<Sample> s, List<Line> l) {
    Map<String, List<Sample>> bySeries = new LinkedHashMap<>();
    for (Sample x : s) {
      bySeries.computeIfAbsent(x.app() + '\0' + x.counter(), k -> new ArrayList<>()).add(x);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 + s.size() * 8);
    try (GZIPOutputStream z = new GZIPOutputStream(bytes); JsonGenerator g = JSON.createGenerator(z)) {
      g.writeStartObject();
      g.writeStringField("machine", machine);
      g.writeArrayFieldStart("samples");
      for (List<Sample> series : bySeries.values()) {
        g.writeStartObject();
        g.writeStringField("app", series.get(0).app());
        g.writeStringField("counter", series.get(0).counter());
        g.writeArrayFieldStart("points");
        for (Sample x : series) {
          g.writeStartArray();
          g.writeNumber(x.t());
          g.writeNumber(x.v());
          g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("logs");
      for (Line x : l) {
        g.writeStartObject();
        g.writeNumberField("t", x.t());
        g.writeStringField("app", x.app());
        g.writeStringField("level", x.level());
        g.writeStringField("text", x.text());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A counter name from a watchdog and a perfdata label: characters the service refuses become {@code _}. */
  static String counterName(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && b.length() < 128; i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || (b.length() > 0 && "._:/%-".indexOf(c) >= 0);
      b.append(ok ? c : '_');
    }
    return b.toString();
  }

  /** What shipping did so far. */
  synchronized CollectionStats stats() {
    return new CollectionStats(batches, sentSamples, sentLines, droppedSamples, droppedLines, refused, samples.size(),
        lines.size(), lastGood, lastError);
  }

  private static URI base(URI u) {
    String s = u.toString();
    return URI.create(s.endsWith("/") ? s : s + "/");
  }

  private static String clip(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
  }

  @Override
  public void close() {
    running = false;
    ScheduledExecutorService t = timer;
    if (t != null) {
      t.shutdownNow();
    }
  }
}
