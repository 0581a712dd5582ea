package org.autopilot.tls;

import io.javalin.Javalin;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * Starts a Javalin server on {@code host:port}: HTTPS only when an identity is given (one TLS
 * connector replaces Javalin's plain one, so nothing answers plain HTTP), plain HTTP otherwise,
 * exactly as {@code app.start(host, port)}.
 */
public final class Https {
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
    ServerConnector c = new ServerConnector(server,
        new SslConnectionFactory(identity.sslContextFactory(), HttpVersion.HTTP_1_1.asString()),
        new HttpConnectionFactory(https));
    c.setHost(host);
    c.setPort(port);
    return c;
  }
}
