package org.autopilot.collection.service;

import org.autopilot.devicemanager.api.MachineTokens;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.autopilot.collection.ManualClock;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.collection.wire.Limits;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.core.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over real HTTP on loopback with a real H2 file: machine tokens, a machine sending
 * for another, bad bodies of every kind refused with a message saying what and where and
 * nothing of them stored, and the read API's contract (as Cockpit calls it).
 */
class CollectionServiceTest {
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  @TempDir Path dir;
  final ManualClock clock = new ManualClock(NOW);
  final HttpClient http = HttpClient.newHttpClient();
  final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
  final String viewer = TokenAuthenticator.newToken(new SecureRandom());
  CollectionService service;

  @BeforeEach
  void start() {
    service = CollectionService.start(CollectionServiceConfig.of("c1", "127.0.0.1", 0,
        DatabaseConfig.h2(dir.resolve("db")), secret,
        List.of(new TokenAuthenticator.TokenEntry("cockpit", Role.VIEWER, TokenAuthenticator.sha256(viewer))))
        .withLimits(new Limits(64 * 1024, 1 << 20, 1000, 100, Duration.ofHours(2), Duration.ofMinutes(5))),
        clock);
  }

  @AfterEach
  void stop() {
    service.close();
  }

  String token(String machine) {
    return TokenAuthenticator.machineToken(HexFormat.of().parseHex(secret), machine);
  }

  HttpResponse<String> send(String token, byte[] body, boolean gzip) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/ingest"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(body) : body))
        .header("Content-Type", "application/json");
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  static String batch(String machine, long t) {
    return "{\"machine\":\"" + machine + "\",\"samples\":[{\"app\":\"\",\"counter\":\"os.cpu.busy_pct\","
        + "\"points\":[[" + t + ",12.5],[" + (t + 10_000) + ",14]]},{\"app\":\"web\",\"counter\":\"app.restarts\","
        + "\"points\":[[" + t + ",0]]}],\"logs\":[{\"t\":" + t + ",\"app\":\"web\",\"level\":\"ERROR\","
        + "\"text\":\"connection refused\"},{\"t\":" + (t + 1) + ",\"level\":\"INFO\",\"text\":\"agent started\"}]}";
  }

  JsonNode get(String pathAndQuery, String token, int status) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.url() + pathAndQuery));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Json.mapper().readTree(r.body());
  }

  long rows(String table) {
    return service.store().rowCounts().get(table);
  }

  @Test
  void takesAMachinesBatchAndAnswersTheReadApi() throws Exception {
    long t = NOW.toEpochMilli() - 60_000;
    HttpResponse<String> r = send(token("sim-01"), batch("sim-01", t).getBytes(StandardCharsets.UTF_8), true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Json.mapper().readTree(r.body()).path("samples").asInt()).isEqualTo(3);
    // identity encoding works too
    assertThat(send(token("sim-02"), batch("sim-02", t).getBytes(StandardCharsets.UTF_8), false).statusCode())
        .isEqualTo(200);

    JsonNode counters = get("/api/v1/counters?machine=sim-01", viewer, 200);
    assertThat(counters.toString()).isEqualTo("{\"counters\":[{\"machine\":\"sim-01\",\"app\":\"\","
        + "\"counter\":\"os.cpu.busy_pct\"},{\"machine\":\"sim-01\",\"app\":\"web\",\"counter\":\"app.restarts\"}]}");
    assertThat(get("/api/v1/counters", viewer, 200).toString()).isEqualTo("{\"counters\":[{\"machine\":\"\","
        + "\"app\":\"\",\"counter\":\"app.restarts\"},{\"machine\":\"\",\"app\":\"\",\"counter\":\"os.cpu.busy_pct\"}]}");

    JsonNode series = get("/api/v1/series?machine=sim-01&machine=sim-02&counter=os.cpu.busy_pct&app="
        + "&from=" + enc(Instant.ofEpochMilli(t - 1000).toString()) + "&to=" + (t + 60_000) + "&step=raw", viewer, 200);
    assertThat(series.path("series")).hasSize(2);
    JsonNode s1 = series.path("series").get(0);
    assertThat(s1.path("machine").asText()).isEqualTo("sim-01");
    assertThat(s1.path("app").asText()).isEmpty();
    assertThat(s1.path("step").asText()).isEqualTo("raw");
    assertThat(s1.path("points").toString()).isEqualTo("[[" + t + ",12.5,12.5,12.5],[" + (t + 10_000) + ",14.0,14.0,14.0]]");
    JsonNode minute = get("/api/v1/series?machine=sim-01&counter=os.cpu.busy_pct&step=minute", viewer, 200);
    assertThat(minute.path("series").get(0).path("points").get(0).toString())
        .isEqualTo("[" + (t - t % 60_000) + ",13.25,12.5,14.0]");
    assertThat(get("/api/v1/series?machine=sim-01&counter=os.cpu.busy_pct", viewer, 200)
        .path("series").get(0).path("step").asText()).isEqualTo("raw");

    JsonNode logs = get("/api/v1/logs?machine=sim-01&limit=10", viewer, 200);
    assertThat(logs.toString()).isEqualTo("{\"lines\":[{\"t\":" + (t + 1) + ",\"machine\":\"sim-01\",\"app\":\"\","
        + "\"level\":\"INFO\",\"text\":\"agent started\"},{\"t\":" + t + ",\"machine\":\"sim-01\",\"app\":\"web\","
        + "\"level\":\"ERROR\",\"text\":\"connection refused\"}]}");
    assertThat(get("/api/v1/logs?app=web&level=error&q=REFUSED", viewer, 200).path("lines")).hasSize(2);

    JsonNode status = get("/api/v1/status", null, 200);
    assertThat(status.path("id").asText()).isEqualTo("c1");
    assertThat(status.path("database").asText()).startsWith("jdbc:h2:file:");
    assertThat(status.path("rows").path("samples").asLong()).isEqualTo(6);
    assertThat(status.path("ingest").path("batchesAccepted").asLong()).isEqualTo(2);
  }

  @Test
  void readersNeedAViewerTokenAndMachineTokensMayNotRead() throws Exception {
    assertThat(get("/api/v1/counters", null, 401).path("error").asText()).contains("bearer token");
    assertThat(get("/api/v1/logs", "nope", 401).path("error").asText()).contains("bearer token");
    assertThat(get("/api/v1/series?machine=sim-01&counter=c", token("sim-01"), 403).path("error").asText())
        .contains("machine tokens may not read");
    assertThat(get("/api/v1/series?counter=c", viewer, 400).path("error").asText()).contains("machine");
    assertThat(get("/api/v1/series?machine=m&counter=c&from=yesterday", viewer, 400).path("error").asText())
        .contains("from 'yesterday' is neither epoch milliseconds nor ISO-8601");
    assertThat(get("/api/v1/series?machine=m&counter=c&step=week", viewer, 400).path("error").asText())
        .contains("step 'week'");
    assertThat(get("/api/v1/logs?limit=5000", viewer, 400).path("error").asText()).contains("1..1000");
    assertThat(get("/api/v1/logs?level=LOUD", viewer, 400).path("error").asText()).contains("level 'LOUD'");
  }

  @Test
  void machinesNeedTheirOwnTokenAndSendOnlyTheirOwnData() throws Exception {
    byte[] b = batch("sim-01", NOW.toEpochMilli()).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> none = send(null, b, true);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(send(viewer, b, true).statusCode()).isEqualTo(401);
    assertThat(send("machine:sim-01:" + "0".repeat(64), b, true).statusCode()).isEqualTo(401);
    HttpResponse<String> other = send(token("sim-02"), b, true);
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.body()).contains("machine sim-02 may only send data of sim-02, not of sim-01");
    assertThat(rows("samples")).isZero();
    assertThat(rows("logs")).isZero();
  }

  @Test
  void badBatchesAreRefusedWholeSayingWhatAndWhere() throws Exception {
    long t = NOW.toEpochMilli();
    String tok = token("m1");
    String good = "{\"app\":\"\",\"counter\":\"c\",\"points\":[[" + t + ",1]]}";
    assertRefused(400, "malformed JSON at line 1", tok, "{\"machine\":\"m1\",\"samples\":[" + good + ",");
    assertRefused(400, "samples[1].points[0][1]: malformed JSON at line 1", tok,
        "{\"machine\":\"m1\",\"samples\":[" + good + ",{\"counter\":\"c\",\"points\":[[" + t + ",NaN]]}]}");
    assertRefused(400, "samples[0].points[0][1]", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[" + t + ",1e999]]}]}");
    assertRefused(400, "is not a finite number", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[" + t + ",1e999]]}]}");
    assertRefused(400, "samples[0].points[1][0]", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[" + t + ",1],[" + (t + Duration.ofDays(1).toMillis()) + ",2]]}]}");
    assertRefused(400, "outside the accepted window", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[0,2]]}]}");
    assertRefused(400, "samples[0].points[0][0]", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[\"" + t + "\",2]]}]}");
    assertRefused(400, "a point is exactly [time, value]", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\","
        + "\"points\":[[" + t + ",2,3]]}]}");
    assertRefused(400, "samples[0].counter", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"bad name!\","
        + "\"points\":[]}]}");
    assertRefused(400, "samples[0].colour", tok, "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\",\"colour\":1}]}");
    assertRefused(400, "Duplicate field 'machine'", tok, "{\"machine\":\"m1\",\"machine\":\"m1\"}");
    assertRefused(400, "logs[0].level", tok, "{\"machine\":\"m1\",\"logs\":[{\"t\":" + t
        + ",\"level\":\"LOUD\",\"text\":\"x\"}]}");
    assertRefused(400, "logs[0].text", tok, "{\"machine\":\"m1\",\"logs\":[{\"t\":" + t
        + ",\"level\":\"INFO\",\"text\":\"a\\u0000b\"}]}");
    assertRefused(400, "machine at line 1, column 15: missing", tok, "{\"samples\":[]}");
    assertRefused(400, "trailing", tok, "{\"machine\":\"m1\"} {}");

    // too many samples: the limit is 1000 in this test
    StringBuilder many = new StringBuilder("{\"machine\":\"m1\",\"samples\":[{\"counter\":\"c\",\"points\":[");
    for (int i = 0; i < 1001; i++) {
      many.append(i == 0 ? "" : ",").append("[").append(t).append(",").append(i).append("]");
    }
    assertRefused(413, "more than 1000 samples", tok, many.append("]}]}").toString());

    // not gzip although it says so
    HttpResponse<String> notGzip = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/ingest"))
        .header("Authorization", "Bearer " + tok).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofString("{\"machine\":\"m1\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(notGzip.body()).contains("not valid gzip");
    HttpResponse<String> brotli = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/ingest"))
        .header("Authorization", "Bearer " + tok).header("Content-Encoding", "br")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(brotli.statusCode()).isEqualTo(415);

    // a bomb: 40 KiB of gzip inflating to 40 MiB of spaces (limit: 1 MiB inflated)
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(bomb)) {
      z.write("{\"machine\":\"m1\",\"samples\":[".getBytes(StandardCharsets.UTF_8));
      byte[] spaces = new byte[1 << 20];
      java.util.Arrays.fill(spaces, (byte) ' ');
      for (int i = 0; i < 40; i++) {
        z.write(spaces);
      }
    }
    HttpResponse<String> boom = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/ingest"))
        .header("Authorization", "Bearer " + tok).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(boom.statusCode()).as(boom.body()).isEqualTo(413);
    assertThat(boom.body()).contains("inflates past 1048576 bytes");

    // a body over the limit as sent
    byte[] big = new byte[70 * 1024];
    new java.util.Random(1).nextBytes(big);
    HttpResponse<String> tooBig = http.send(HttpRequest.newBuilder(URI.create(service.url() + "/api/v1/ingest"))
        .header("Authorization", "Bearer " + tok).header("Content-Encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(tooBig.statusCode()).isEqualTo(413);

    assertThat(rows("samples")).isZero();
    assertThat(rows("logs")).isZero();
    assertThat(service.status().get("ingest").toString()).contains("batchesAccepted=0");
  }

  private void assertRefused(int status, String message, String token, String body) throws Exception {
    HttpResponse<String> r = send(token, body.getBytes(StandardCharsets.UTF_8), true);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(Json.mapper().readTree(r.body()).path("error").asText()).contains(message);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
