/**
 * TLS for autopilot's HTTP servers and clients. {@link org.autopilot.tls.TlsSettings} is the
 * {@code tls:} block every service's YAML shares; {@link org.autopilot.tls.ServerIdentity} loads
 * a certificate chain and private key from PEM files (or a PKCS#12 key store) and checks them at
 * startup, naming the file in every error; {@link org.autopilot.tls.TrustBundle} loads the CA
 * bundle a client trusts (hostname verification stays on); {@link org.autopilot.tls.Https}
 * starts a Javalin server HTTPS-only; {@link org.autopilot.tls.ThrowawayCa} makes a CA and
 * server certificates for tests and the demo with the JDK's {@code keytool}. Depends on the JDK,
 * Javalin and its Jetty only.
 */
package org.autopilot.tls;
