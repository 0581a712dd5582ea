package org.autopilot.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The certificate chain and private key a server presents, loaded once at startup from PEM files
 * or a PKCS#12 key store and checked: the files exist and parse, the key matches the first
 * certificate, and that certificate is valid now. Every error names the config key and the file.
 */
public final class ServerIdentity {
  private static final String ALIAS = "server";
  private final KeyStore keyStore;
  private final char[] password;
  private final List<X509Certificate> chain;
  private final String source;

  private ServerIdentity(PrivateKey key, List<X509Certificate> chain, String source) {
    this.chain = List.copyOf(chain);
    this.source = source;
    byte[] raw = new byte[24];
    new SecureRandom().nextBytes(raw);
    this.password = java.util.HexFormat.of().formatHex(raw).toCharArray();
    try {
      keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot hold the key in memory: " + e.getMessage(), e);
    }
  }

  /**
   * Loads and checks the identity {@code settings} describe; {@code key} names the settings block
   * in errors (e.g. {@code tls}), {@code clock} judges the certificate's validity period. Pass the
   * wall clock ({@code InstantSource.system()}) outside tests: the TLS stack judges by it too,
   * whatever clock a service runs its own logic on.
   */
  public static ServerIdentity load(TlsSettings settings, String key, InstantSource clock)
      throws TlsConfigException {
    try {
      settings.validate(key);
    } catch (IllegalArgumentException e) {
      throw new TlsConfigException(key, e.getMessage().substring(key.length() + 2), e);
    }
    if (settings.keyStore() != null) {
      return fromPkcs12(settings.keyStore(), settings.keyStorePassword(), key + ".keyStore", clock);
    }
    List<X509Certificate> chain = PemFiles.certificates(settings.certificate(), key + ".certificate");
    PrivateKey pk = PemFiles.privateKey(settings.privateKey(), key + ".privateKey");
    String source = key + ".certificate " + settings.certificate();
    checkValid(chain.get(0), source, clock.instant());
    checkMatch(pk, chain.get(0), key + ".privateKey " + settings.privateKey() + " and " + source);
    return new ServerIdentity(pk, chain, settings.certificate().toString());
  }

  private static ServerIdentity fromPkcs12(Path file, String password, String what, InstantSource clock)
      throws TlsConfigException {
    String name = what + " " + file;
    char[] pw = password == null ? new char[0] : password.toCharArray();
    KeyStore ks;
    try (InputStream in = Files.newInputStream(file)) {
      ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pw);
    } catch (NoSuchFileException e) {
      throw new TlsConfigException(name, "no such file", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsConfigException(name, "cannot open as PKCS#12 (wrong keyStorePassword, or not a "
          + "PKCS#12 file): " + e.getMessage(), e);
    }
    try {
      List<String> keys = new ArrayList<>();
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isKeyEntry(alias)) {
          keys.add(alias);
        }
      }
      if (keys.size() != 1) {
        throw new TlsConfigException(name, keys.isEmpty() ? "holds no private key entry"
            : "holds " + keys.size() + " private keys " + keys + "; expected exactly one");
      }
      PrivateKey pk = (PrivateKey) ks.getKey(keys.get(0), pw);
      List<X509Certificate> chain = new ArrayList<>();
      Certificate[] certs = ks.getCertificateChain(keys.get(0));
      if (certs == null || certs.length == 0) {
        throw new TlsConfigException(name, "the key entry '" + keys.get(0) + "' has no certificate");
      }
      for (Certificate c : certs) {
        chain.add((X509Certificate) c);
      }
      checkValid(chain.get(0), name, clock.instant());
      checkMatch(pk, chain.get(0), name);
      return new ServerIdentity(pk, chain, file.toString());
    } catch (GeneralSecurityException e) {
      throw new TlsConfigException(name, "cannot read the key: " + e.getMessage(), e);
    }
  }

  private static void checkValid(X509Certificate cert, String name, Instant now) throws TlsConfigException {
    if (now.isBefore(cert.getNotBefore().toInstant())) {
      throw new TlsConfigException(name, "certificate " + cert.getSubjectX500Principal().getName()
          + " is not valid before " + cert.getNotBefore().toInstant());
    }
    if (now.isAfter(cert.getNotAfter().toInstant())) {
      throw new TlsConfigException(name, "certificate " + cert.getSubjectX500Principal().getName()
          + " expired on " + cert.getNotAfter().toInstant());
    }
  }

  /** Signs a probe with the key and verifies it with the certificate's public key. */
  private static void checkMatch(PrivateKey key, X509Certificate cert, String name) throws TlsConfigException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
      default -> null;
    };
    if (algorithm == null) {
      return;
    }
    boolean ok;
    try {
      byte[] probe = "autopilot key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      ok = v.verify(sig);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new TlsConfigException(name, "the private key does not belong to the certificate "
          + cert.getSubjectX500Principal().getName() + " (the first certificate must be the server's own)");
    }
  }

  /** The chain presented, server certificate first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The file the certificate came from, for logs. */
  public String source() {
    return source;
  }

  /** A fresh Jetty server-side SSL factory for this identity (TLS 1.2 and 1.3, Jetty's ciphers). */
  public SslContextFactory.Server sslContextFactory() {
    SslContextFactory.Server f = new SslContextFactory.Server();
    f.setKeyStore(keyStore);
    f.setKeyStorePassword(new String(password));
    f.setKeyManagerPassword(new String(password));
    f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    return f;
  }
}
