package org.autopilot.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority for tests and the demo, made with the JDK's own
 * {@code keytool} (no extra library): an EC P-256 CA and server certificates signed by it, written
 * as the PEM files operators get from their CA (CA certificate, chain, PKCS#8 key) and as PKCS#12.
 * Never for production: the CA key sits next to the certificates, protected by a fixed password.
 */
public final class ThrowawayCa {
  /** Password of every PKCS#12 file this class writes. */
  public static final String PASSWORD = "changeit";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;
  private final Path dir;

  /**
   * What one server certificate was written as.
   *
   * @param chain PEM: the server certificate, then the CA's
   * @param key PEM: the unencrypted PKCS#8 private key
   * @param pkcs12 the same key and chain as PKCS#12 (password {@link #PASSWORD})
   */
  public record Issued(Path chain, Path key, Path pkcs12) {
    /** These files as PEM settings. */
    public TlsSettings pemSettings() {
      return TlsSettings.pem(chain, key);
    }
  }

  private ThrowawayCa(Path dir) {
    this.dir = dir;
  }

  /** Creates a CA in {@code dir} ({@code ca.p12}, {@code ca.pem}), or reuses the one there. */
  public static ThrowawayCa create(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    ThrowawayCa ca = new ThrowawayCa(dir);
    if (!Files.exists(dir.resolve("ca.pem"))) {
      Files.deleteIfExists(dir.resolve("ca.p12"));
      ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=" + name, "-ext", "bc:c", "-ext", "KU=keyCertSign,cRLSign", "-validity", "3650",
          "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
      ca.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD,
          "-file", "ca.pem");
    }
    return ca;
  }

  /** The CA certificate (PEM): what clients put in {@code caFile}. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /**
   * Issues a server certificate {@code CN=name} for {@code localhost} and {@code 127.0.0.1}
   * (plus {@code extraSans}, e.g. {@code dns:dm1.example} or {@code ip:10.0.0.5}), written as
   * {@code name.pem}, {@code name.key} and {@code name.p12}. Reuses existing files.
   */
  public Issued issue(String name, String... extraSans) throws IOException {
    Issued out = new Issued(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve(name + ".p12"));
    if (Files.exists(out.chain()) && Files.exists(out.key()) && Files.exists(out.pkcs12())) {
      return out;
    }
    String san = "SAN=dns:localhost,ip:127.0.0.1" + (extraSans.length == 0 ? "" : "," + String.join(",", extraSans));
    String work = name + ".work.p12";
    Files.deleteIfExists(dir.resolve(work));
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-validity", "825", "-keystore", work, "-storetype", "PKCS12",
        "-storepass", PASSWORD);
    keytool("-certreq", "-alias", "server", "-keystore", work, "-storepass", PASSWORD, "-file", name + ".csr");
    keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD,
        "-infile", name + ".csr", "-outfile", name + ".crt", "-rfc", "-validity", "825",
        "-ext", san, "-ext", "KU=digitalSignature", "-ext", "EKU=serverAuth");
    try {
      KeyStore work12 = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(dir.resolve(work))) {
        work12.load(in, PASSWORD.toCharArray());
      }
      PrivateKey key = (PrivateKey) work12.getKey("server", PASSWORD.toCharArray());
      List<X509Certificate> chain = new ArrayList<>();
      chain.addAll(PemFiles.certificates(dir.resolve(name + ".crt"), "issued certificate"));
      chain.addAll(PemFiles.certificates(caFile(), "CA certificate"));
      StringBuilder pem = new StringBuilder();
      for (X509Certificate c : chain) {
        pem.append(PemFiles.pem("CERTIFICATE", c.getEncoded()));
      }
      Files.writeString(out.chain(), pem, StandardCharsets.US_ASCII);
      Files.writeString(out.key(), PemFiles.pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
      KeyStore p12 = KeyStore.getInstance("PKCS12");
      p12.load(null, null);
      p12.setKeyEntry("server", key, PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
      try (OutputStream o = Files.newOutputStream(out.pkcs12())) {
        p12.store(o, PASSWORD.toCharArray());
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot write the issued certificate " + name + ": " + e.getMessage(), e);
    }
    for (String leftover : List.of(work, name + ".csr", name + ".crt")) {
      Files.deleteIfExists(dir.resolve(leftover));
    }
    return out;
  }

  private void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.add("-J-Xmx64m");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      byte[] output = p.getInputStream().readNBytes(64 << 10);
      if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): "
            + new String(output, StandardCharsets.UTF_8).trim());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool ran", e);
    }
  }
}
