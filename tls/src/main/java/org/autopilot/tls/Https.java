package org.autopilot.tls;

import io.javalin.Javalin;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * Starts a Javalin server on {@code host:port}: HTTPS only when an identity is given (one TLS
 * connector replaces Javalin's plain one), plain HTTP otherwise, exactly as
 * {@code app.start(host, port)}. On a TLS port a plain HTTP request reaches no handler: it is
 * answered {@code 400} with {@link #PLAIN_REFUSED} and the connection closed.
 */
public final class Https {
  /** The reason a plain HTTP request to a TLS port is refused with. */
  public static final String PLAIN_REFUSED = "this port serves HTTPS only: use https://";

  private Https() {}

  /**
   * Starts {@code app}; {@code identity} null = plain HTTP. Call once, before any other start.
   * Javalin's HTTP configuration (buffer sizes, header cache) applies to the TLS connector too.
   */
  public static Javalin start(Javalin app, ServerIdentity identity, String host, int port) {
    if (identity != null) {
      app.unsafeConfig().jetty.addConnector((server, http) -> connector(server, http, identity, host, port));
    }
    return app.start(host, port);
  }

  private static ServerConnector connector(Server server, HttpConfiguration http, ServerIdentity identity,
      String host, int port) {
    HttpConfiguration https = new HttpConfiguration(http);
    https.setSecureScheme("https");
    https.addCustomizer(new SecureRequestCustomizer());
    // runs before any handler: what did not come through TLS is refused, saying why
    https.addCustomizer((connector, config, request) -> {
      if (!request.isSecure()) {
        throw new BadMessageException(400, PLAIN_REFUSED);
      }
    });
    SslConnectionFactory tls = new SslConnectionFactory(identity.sslContextFactory(),
        HttpVersion.HTTP_1_1.asString());
    // TLS when the first bytes are a TLS hello, else plain HTTP (which the customizer refuses)
    ServerConnector c = new ServerConnector(server, new DetectorConnectionFactory(tls),
        new HttpConnectionFactory(https));
    c.setHost(host);
    c.setPort(port);
    return c;
  }
}
