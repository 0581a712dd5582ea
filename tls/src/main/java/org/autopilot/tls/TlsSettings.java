package org.autopilot.tls;

import java.nio.file.Path;

/**
 * The {@code tls:} block of a server's YAML: which identity it presents. Either PEM files
 * ({@code certificate} and {@code privateKey}) or a PKCS#12 key store ({@code keyStore} and
 * {@code keyStorePassword}), never both. Absent block = plain HTTP, as before.
 *
 * @param certificate PEM file with the server certificate first, then its intermediates
 * @param privateKey PEM file with the unencrypted PKCS#8 private key
 *     ({@code -----BEGIN PRIVATE KEY-----}) matching the certificate
 * @param keyStore PKCS#12 file holding one private key entry with its chain
 * @param keyStorePassword the PKCS#12 file's password; empty when absent
 */
public record TlsSettings(Path certificate, Path privateKey, Path keyStore, String keyStorePassword) {

  /** PEM files. */
  public static TlsSettings pem(Path certificate, Path privateKey) {
    return new TlsSettings(certificate, privateKey, null, null);
  }

  /** A PKCS#12 key store. */
  public static TlsSettings pkcs12(Path keyStore, String password) {
    return new TlsSettings(null, null, keyStore, password);
  }

  /** These settings with relative paths resolved against {@code base} (the config file's directory). */
  public TlsSettings resolve(Path base) {
    return new TlsSettings(res(base, certificate), res(base, privateKey), res(base, keyStore),
        keyStorePassword);
  }

  /**
   * Checks that exactly one of the two forms is given; {@code key} names this block in the
   * message (e.g. {@code tls}).
   *
   * @throws IllegalArgumentException naming the missing or conflicting keys
   */
  public TlsSettings validate(String key) {
    boolean pem = certificate != null || privateKey != null;
    if (pem && keyStore != null) {
      throw new IllegalArgumentException(key + ": give either certificate + privateKey (PEM) or "
          + "keyStore (PKCS#12), not both");
    }
    if (pem && (certificate == null || privateKey == null)) {
      throw new IllegalArgumentException(key + ": " + (certificate == null ? "certificate" : "privateKey")
          + " is missing (PEM needs both certificate and privateKey)");
    }
    if (!pem && keyStore == null) {
      throw new IllegalArgumentException(key + ": needs certificate + privateKey (PEM) or keyStore (PKCS#12)");
    }
    return this;
  }

  private static Path res(Path base, Path p) {
    return p == null || base == null ? p : base.resolve(p);
  }
}
