package org.autopilot.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import org.autopilot.collection.service.CollectionService;
import org.autopilot.collection.service.CollectionServiceConfig;
import org.autopilot.collection.store.DatabaseConfig;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code autopilot collection logs|series|counters|status} against a real replica. */
class CollectionCommandTest {
  @TempDir Path dir;
  CollectionService service;
  final String viewer = TokenAuthenticator.newToken(new SecureRandom());
  final String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
  PrintStream out;
  ByteArrayOutputStream printed;

  @BeforeEach
  void setUp() throws Exception {
    service = CollectionService.start(CollectionServiceConfig.of("c1", "127.0.0.1", 0,
        DatabaseConfig.h2(dir.resolve("db")), secret, List.of(new TokenAuthenticator.TokenEntry("v", Role.VIEWER,
            TokenAuthenticator.sha256(viewer)))), InstantSource.system());
    long t = System.currentTimeMillis() - 1000;
    String body = "{\"machine\":\"m1\",\"samples\":[{\"counter\":\"os.load1\",\"points\":[[" + t + ",0.75]]}],"
        + "\"logs\":[{\"t\":" + t + ",\"app\":\"web\",\"level\":\"ERROR\",\"text\":\"disk full\"}]}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
            + "/api/v1/ingest")).header("Authorization", "Bearer "
            + TokenAuthenticator.machineToken(HexFormat.of().parseHex(secret), "m1"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    out = System.out;
    printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    System.setOut(out);
    service.close();
  }

  String run(String... args) {
    printed.reset();
    List<String> all = new java.util.ArrayList<>(List.of("collection"));
    all.addAll(List.of(args));
    all.addAll(List.of("--url", service.url(), "--token", viewer));
    assertThat(Main.commandLine().execute(all.toArray(String[]::new))).isZero();
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void readsLogsSeriesCountersAndStatus() {
    assertThat(run("logs", "--machine", "m1", "--level", "WARN")).contains("m1", "web", "ERROR", "disk full");
    assertThat(run("series", "--machine", "m1", "--counter", "os.load1")).contains("m1 os.load1  (raw, 1 points)", "0.75");
    assertThat(run("counters", "--machine", "m1")).contains("os.load1");
    assertThat(run("status")).contains("\"samplesStored\" : 1");
  }
}
