package org.autopilot.cockpit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.autopilot.cockpit.collection.CollectionClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The collection client against a real HTTP server on loopback speaking the query API's
 * contract: the queries it sends, the token, and answers it cannot get turned into problems.
 */
class CollectionClientTest {
  HttpServer server;
  final List<String> seen = new CopyOnWriteArrayList<>();
  String base;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/", ex -> {
      seen.add(ex.getRequestURI().toString() + " " + ex.getRequestHeaders().getFirst("Authorization"));
      String path = ex.getRequestURI().getPath();
      String body = path.endsWith("/series")
          ? "{\"series\":[{\"machine\":\"sim-01\",\"app\":\"web\",\"counter\":\"rps\",\"step\":\"raw\","
              + "\"points\":[[1700000000000,1.5,1,2]]}]}"
          : path.endsWith("/counters") ? "{\"counters\":[{\"machine\":\"sim-01\",\"app\":\"web\",\"counter\":\"rps\"}]}"
          : "{\"error\":\"boom\"}";
      int status = path.endsWith("/logs") ? 500 : 200;
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void asksWithTheTokenAndPassesTheAnswersOn() {
    CollectionClient c = new CollectionClient(List.of(base), "t0k", Duration.ofSeconds(2));
    assertThat(c.configured()).isTrue();
    var counters = c.counters("sim-01");
    assertThat(counters.ok()).isTrue();
    assertThat(counters.json().get("counters").get(0).get("counter").asText()).isEqualTo("rps");
    var series = c.series(List.of("sim-01", "sim 02"), "rps", "web", "1700000000000", "2023-11-14T23:00:00Z", "auto");
    assertThat(series.json().get("series").get(0).get("points").get(0).get(1).asDouble()).isEqualTo(1.5);
    assertThat(seen).containsExactly("/api/v1/counters?machine=sim-01 Bearer t0k",
        "/api/v1/series?machine=sim-01&machine=sim+02&counter=rps&app=web&from=1700000000000"
            + "&to=2023-11-14T23%3A00%3A00Z&step=auto Bearer t0k");
  }

  @Test
  void problemsAreAnswersThatSayWhatIsWrong() throws IOException {
    assertThat(new CollectionClient(List.of(), null, Duration.ofSeconds(1)).counters(null).problem())
        .contains("collection not configured");
    CollectionClient c = new CollectionClient(List.of(base), null, Duration.ofSeconds(2));
    assertThat(c.logs("sim-01", null, null, null, null, null, 10).problem()).contains("HTTP 500", "boom");
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    var down = new CollectionClient(List.of("http://127.0.0.1:" + closed), null, Duration.ofSeconds(1)).counters(null);
    assertThat(down.ok()).isFalse();
    assertThat(down.problem()).contains("collection unreachable");
  }
}
