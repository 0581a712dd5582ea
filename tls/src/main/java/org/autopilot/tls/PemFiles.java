package org.autopilot.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files: X.509 certificates (one or many) and unencrypted PKCS#8 private keys, with the
 * JDK only. Every error names the file and says what is wrong with it, and how to fix the usual
 * mistakes (a PKCS#1 or SEC1 key, an encrypted key, a key where a certificate belongs).
 */
public final class PemFiles {
  /** Largest PEM file read (a long CA bundle fits). */
  static final long MAX_BYTES = 4 << 20;
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

  private PemFiles() {}

  /** One PEM block: its label and decoded bytes. */
  record Block(String label, byte[] der) {}

  /**
   * The certificates in {@code file}, in file order.
   *
   * @param what how to name the file in errors (e.g. {@code tls.certificate})
   */
  public static List<X509Certificate> certificates(Path file, String what) throws TlsConfigException {
    String name = what + " " + file;
    List<X509Certificate> out = new ArrayList<>();
    List<String> others = new ArrayList<>();
    CertificateFactory x509 = x509();
    for (Block b : blocks(file, name)) {
      if (!b.label().equals("CERTIFICATE")) {
        others.add(b.label());
        continue;
      }
      try {
        out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (CertificateException e) {
        throw new TlsConfigException(name, "certificate " + (out.size() + 1) + " is not a valid X.509 certificate: "
            + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new TlsConfigException(name, "no certificate (-----BEGIN CERTIFICATE-----) in the file"
          + (others.isEmpty() ? "" : "; found " + others + " instead"));
    }
    return List.copyOf(out);
  }

  /**
   * The one private key in {@code file}: unencrypted PKCS#8, RSA, EC or EdDSA.
   *
   * @param what how to name the file in errors (e.g. {@code tls.privateKey})
   */
  public static PrivateKey privateKey(Path file, String what) throws TlsConfigException {
    String name = what + " " + file;
    List<Block> keys = new ArrayList<>();
    for (Block b : blocks(file, name)) {
      switch (b.label()) {
        case "PRIVATE KEY" -> keys.add(b);
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new TlsConfigException(name, "a "
            + (b.label().startsWith("RSA") ? "PKCS#1" : "SEC1") + " key (" + b.label() + "); convert it to "
            + "PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem");
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsConfigException(name, "an encrypted key; give an "
            + "unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) readable only by the service, "
            + "or a PKCS#12 keyStore with keyStorePassword");
        default -> { }
      }
    }
    if (keys.size() != 1) {
      throw new TlsConfigException(name, keys.isEmpty()
          ? "no private key (-----BEGIN PRIVATE KEY-----) in the file"
          : keys.size() + " private keys in the file; expected exactly one");
    }
    byte[] der = keys.get(0).der();
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new TlsConfigException(name, "the PKCS#8 key is not an RSA, EC or EdDSA key this JDK can read");
  }

  static List<Block> blocks(Path file, String name) throws TlsConfigException {
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new TlsConfigException(name, "is a directory, not a file");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new TlsConfigException(name, "larger than " + MAX_BYTES + " bytes; not a PEM file");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsConfigException(name, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new TlsConfigException(name, "permission denied", e);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new TlsConfigException(name, "not a PEM file (binary content; a DER or PKCS#12 file?)", e);
    } catch (IOException e) {
      if (e instanceof TlsConfigException t) {
        throw t;
      }
      throw new TlsConfigException(name, "cannot read: " + e.getMessage(), e);
    }
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new TlsConfigException(name, "PEM block " + (out.size() + 1) + " (" + m.group(1)
            + ") is not valid base64", e);
      }
    }
    if (out.isEmpty()) {
      throw new TlsConfigException(name, "not a PEM file (no -----BEGIN ...----- block)");
    }
    return out;
  }

  /** Writes {@code der} as one PEM block labelled {@code label}. */
  public static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  private static CertificateFactory x509() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 support", e);
    }
  }
}
