package org.autopilot.watchdogs.service;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A real MINA SSH server on loopback standing in for a machine's management interface, as
 * fleet-sim's simulated machines do (an EC P-256 host key kept in a file, public-key login for
 * the operator key only). The watchdogs module cannot depend on fleet-sim: fleet-sim runs the
 * app-manager, which runs watchdogs.
 */
final class SshHost implements AutoCloseable {
  private final SimpleGeneratorHostKeyProvider hostKeys;
  private final SshServer server;

  /** Starts on {@code port} (0: a free one) with the host key kept at {@code keyFile}. */
  SshHost(Path keyFile, int port, PublicKey operator) throws IOException {
    hostKeys = new SimpleGeneratorHostKeyProvider(keyFile);
    hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
    hostKeys.setKeySize(256);
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(port);
    server.setKeyPairProvider(hostKeys);
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(operator, key));
    server.start();
  }

  int port() {
    return server.getPort();
  }

  /** The host key's fingerprint, {@code SHA256:...}, as the DM pins it at discovery. */
  String fingerprint() {
    return KeyUtils.getFingerPrint(hostKeys.loadKeys(null).iterator().next().getPublic());
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }
}
