package org.autopilot.cockpit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.autopilot.cockpit.collection.CollectionClient;
import org.autopilot.tls.ThrowawayCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real Spring application with {@code autopilot.ca-file}: its collection client reads over
 * TLS from a server whose certificate that CA signed. The server is a stand-in speaking the
 * query API (the JDK's HTTPS server): the real collection service runs on Jetty 11 (servlet 5),
 * which cannot share this JVM with Cockpit's Tomcat (servlet 6); the real service over TLS is
 * tested in the collection module ({@code CollectionTlsTest}).
 */
@SpringBootTest(properties = {"autopilot.users-file=src/test/resources/users.txt"})
class CockpitTlsTest {
  static Path dir;
  static ThrowawayCa ca;
  static HttpsServer server;

  @BeforeAll
  static void serve() throws Exception {
    dir = Files.createTempDirectory("cockpit-tls");
    ca = ThrowawayCa.create(dir.resolve("pki"), "cockpit-test-ca");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ca.issue("collection").pkcs12())) {
      ks.load(in, ThrowawayCa.PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, ThrowawayCa.PASSWORD.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    server.createContext("/api/v1/counters", ex -> {
      byte[] b = "{\"counters\":[{\"machine\":\"sim-01\",\"app\":\"web\",\"counter\":\"rps\"}]}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry r) {
    r.add("autopilot.collection.urls", () -> "https://127.0.0.1:" + server.getAddress().getPort());
    r.add("autopilot.ca-file", () -> ca.caFile().toString());
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop(0);
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Autowired CollectionClient collection;

  @Test
  void theCollectionClientTrustsTheConfiguredCa() {
    var counters = collection.counters("sim-01");
    assertThat(counters.ok()).as(String.valueOf(counters.problem())).isTrue();
    assertThat(counters.json().get("counters").get(0).get("counter").asText()).isEqualTo("rps");
    // the same URL without the CA: the JDK's CAs do not know it, and the page would say so
    var untrusting = new CollectionClient(List.of("https://127.0.0.1:" + server.getAddress().getPort()), null,
        Duration.ofSeconds(2)).counters("sim-01");
    assertThat(untrusting.ok()).isFalse();
  }
}
