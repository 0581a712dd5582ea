package org.autopilot.tls;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The CAs a client trusts, from one PEM bundle file ({@code caFile} in every client's config).
 * Only these CAs are trusted, not the JDK's defaults; the server's host name (or IP) must match
 * its certificate: hostname verification is never turned off.
 */
public final class TrustBundle {
  private final SSLContext context;
  private final Path file;

  private TrustBundle(SSLContext context, Path file) {
    this.context = context;
    this.file = file;
  }

  /**
   * Loads {@code caFile}; {@code what} names the config key in errors (e.g. {@code caFile}).
   */
  public static TrustBundle load(Path caFile, String what) throws TlsConfigException {
    List<X509Certificate> cas = PemFiles.certificates(caFile, what);
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        trust.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return new TrustBundle(ctx, caFile);
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsConfigException(what + " " + caFile, "cannot build a trust store: " + e.getMessage(), e);
    }
  }

  /** {@link #load} when {@code caFile} is given, else {@code null} (plain HTTP or the JDK's CAs). */
  public static TrustBundle loadIfGiven(Path caFile, String what) throws TlsConfigException {
    return caFile == null ? null : load(caFile, what);
  }

  /** The SSL context for the JDK's HTTP client and {@code HttpsURLConnection}. */
  public SSLContext sslContext() {
    return context;
  }

  /** The bundle file, for logs. */
  public Path file() {
    return file;
  }

  /** A fresh Jetty client-side SSL factory trusting these CAs, with hostname verification. */
  public SslContextFactory.Client jettyClient() {
    SslContextFactory.Client f = new SslContextFactory.Client();
    f.setSslContext(context);
    f.setEndpointIdentificationAlgorithm("HTTPS");
    return f;
  }

  /**
   * A JDK HTTP client builder trusting {@code trust}, or the plain builder when it is null, so
   * a client without {@code caFile} behaves exactly as before.
   */
  public static HttpClient.Builder httpClient(TrustBundle trust) {
    HttpClient.Builder b = HttpClient.newBuilder();
    return trust == null ? b : b.sslContext(trust.context);
  }
}
