package org.autopilot.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Javalin server over real TLS on loopback, with certificates from a throwaway CA. */
class HttpsTest {
  @TempDir static Path dir;
  static ThrowawayCa ca;
  static ThrowawayCa otherCa;
  static ThrowawayCa.Issued server;
  private Javalin app;

  @BeforeAll
  static void pki() throws IOException {
    ca = ThrowawayCa.create(dir.resolve("ca"), "test-ca");
    otherCa = ThrowawayCa.create(dir.resolve("other"), "other-ca");
    server = ca.issue("server");
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.stop();
    }
  }

  private int serve(TlsSettings settings) throws TlsConfigException {
    ServerIdentity id = ServerIdentity.load(settings, "tls", InstantSource.system());
    app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.get("/hello", ctx -> ctx.result("hello " + ctx.scheme()));
    Https.start(app, id, "127.0.0.1", 0);
    return app.port();
  }

  private static HttpResponse<String> get(TrustBundle trust, String url) throws Exception {
    HttpClient http = TrustBundle.httpClient(trust).connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pemIdentityServesHttpsToAClientTrustingTheCa() throws Exception {
    int port = serve(server.pemSettings());
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    assertThat(get(trust, "https://127.0.0.1:" + port + "/hello").body()).isEqualTo("hello https");
    assertThat(get(trust, "https://localhost:" + port + "/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void pkcs12IdentityServesHttps() throws Exception {
    int port = serve(TlsSettings.pkcs12(server.pkcs12(), ThrowawayCa.PASSWORD));
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    assertThat(get(trust, "https://127.0.0.1:" + port + "/hello").body()).isEqualTo("hello https");
  }

  @Test
  void aClientTrustingAnotherCaIsRefusedInTheHandshake() throws Exception {
    int port = serve(server.pemSettings());
    TrustBundle wrong = TrustBundle.load(otherCa.caFile(), "caFile");
    assertThatThrownBy(() -> get(wrong, "https://127.0.0.1:" + port + "/hello"))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("PKIX path building failed");
    // and the JDK's default CAs do not know a private CA either
    assertThatThrownBy(() -> get(null, "https://127.0.0.1:" + port + "/hello"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void aHostNameNotInTheCertificateIsRefused() throws Exception {
    ThrowawayCa.Issued narrow = ca.issue("narrow");
    int port = serve(narrow.pemSettings());
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    // the certificate names localhost and 127.0.0.1 only; 127.0.0.2 is loopback but not named
    assertThatThrownBy(() -> get(trust, "https://127.0.0.2:" + port + "/hello"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void plainHttpToTheTlsPortIsRefusedSayingWhyAndReachesNoHandler() throws Exception {
    int port = serve(server.pemSettings());
    HttpResponse<String> r = get(null, "http://127.0.0.1:" + port + "/hello");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains(Https.PLAIN_REFUSED).doesNotContain("hello http");
    // and the port still speaks TLS afterwards
    assertThat(get(TrustBundle.load(ca.caFile(), "caFile"), "https://127.0.0.1:" + port + "/hello").body())
        .isEqualTo("hello https");
  }

  @Test
  void withoutSettingsTheServerIsPlainHttpAsBefore() throws Exception {
    app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.get("/hello", ctx -> ctx.result("hello " + ctx.scheme()));
    Https.start(app, null, "127.0.0.1", 0);
    assertThat(get(null, "http://127.0.0.1:" + app.port() + "/hello").body()).isEqualTo("hello http");
  }

  @Test
  void badFilesAreRefusedNamingTheFileAndTheFault() throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pem(missing, server.key()), "tls", InstantSource.system()))
        .isInstanceOf(TlsConfigException.class)
        .hasMessage("tls.certificate " + missing + ": no such file");
    // certificate and key swapped
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pem(server.key(), server.chain()), "tls", InstantSource.system()))
        .hasMessageContaining("tls.certificate " + server.key())
        .hasMessageContaining("no certificate (-----BEGIN CERTIFICATE-----)");
    // a key of another certificate
    ThrowawayCa.Issued other = otherCa.issue("other");
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pem(server.chain(), other.key()), "tls", InstantSource.system()))
        .hasMessageContaining("tls.privateKey " + other.key())
        .hasMessageContaining("does not belong to the certificate CN=server");
    // a PKCS#1 key
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pem(server.chain(), pkcs1), "tls", InstantSource.system()))
        .hasMessageContaining("tls.privateKey " + pkcs1 + ": a PKCS#1 key")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    // garbage
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "hello\n");
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pem(garbage, server.key()), "tls", InstantSource.system()))
        .hasMessage("tls.certificate " + garbage + ": not a PEM file (no -----BEGIN ...----- block)");
    // wrong PKCS#12 password
    assertThatThrownBy(() -> ServerIdentity.load(TlsSettings.pkcs12(server.pkcs12(), "wrong"), "tls", InstantSource.system()))
        .hasMessageContaining("tls.keyStore " + server.pkcs12() + ": cannot open as PKCS#12");
    // a certificate judged at a time after it expired
    InstantSource later = InstantSource.fixed(Instant.now().plus(Duration.ofDays(900)));
    assertThatThrownBy(() -> ServerIdentity.load(server.pemSettings(), "tls", later))
        .hasMessageContaining("tls.certificate " + server.chain())
        .hasMessageContaining("expired on");
    // half a PEM pair
    assertThatThrownBy(() -> ServerIdentity.load(new TlsSettings(server.chain(), null, null, null), "tls", InstantSource.system()))
        .hasMessageContaining("tls: privateKey is missing");
    // a CA bundle that is not one
    assertThatThrownBy(() -> TrustBundle.load(garbage, "caFile"))
        .hasMessage("caFile " + garbage + ": not a PEM file (no -----BEGIN ...----- block)");
  }
}
