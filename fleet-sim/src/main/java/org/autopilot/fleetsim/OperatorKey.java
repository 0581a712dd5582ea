package org.autopilot.fleetsim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * The key pair operators and satellites log in to simulated machines with, kept as an OpenSSH
 * private key file (mode 600) and a {@code .pub} beside it, so {@code ssh -i FILE} works too.
 */
public final class OperatorKey {
  private OperatorKey() {}

  /** Loads the key at {@code file}, or creates an ECDSA P-256 key there. */
  public static KeyPair loadOrCreate(Path file) throws IOException {
    try {
      if (Files.exists(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          Iterator<KeyPair> keys = OpenSSHKeyPairResourceParser.INSTANCE
              .loadKeyPairs(null, () -> file.toString(), null, in).iterator();
          if (!keys.hasNext()) {
            throw new IOException(file + " holds no key pair");
          }
          return keys.next();
        }
      }
      KeyPair kp = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = Files.newOutputStream(file)) {
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "autopilot-operator", null, out);
      }
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      try (OutputStream out = Files.newOutputStream(file.resolveSibling(file.getFileName() + ".pub"))) {
        OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(kp, "autopilot-operator", out);
      }
      return kp;
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
