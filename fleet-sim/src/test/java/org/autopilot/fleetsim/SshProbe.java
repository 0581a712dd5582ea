package org.autopilot.fleetsim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/** A real MINA SSH client for tests: key login, host key pinning, one command per session. */
final class SshProbe implements AutoCloseable {
  final SshClient client = SshClient.setUpDefaultClient();
  final KeyPair identity;
  volatile PublicKey pinned;
  final AtomicReference<PublicKey> lastSeen = new AtomicReference<>();

  /**
   * The outcome of one command.
   *
   * @param exit exit status
   * @param out standard output
   * @param err standard error
   */
  record Result(int exit, String out, String err) {}

  SshProbe(KeyPair identity) {
    this.identity = identity;
    client.setServerKeyVerifier((session, address, key) -> {
      lastSeen.set(key);
      return pinned == null || KeyUtils.compareKeys(pinned, key);
    });
    client.start();
  }

  Result run(int port, String command) throws Exception {
    try (ClientSession s = client.connect("root", "127.0.0.1", port).verify(5_000).getSession()) {
      s.addPublicKeyIdentity(identity);
      s.auth().verify(5_000);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      try (ChannelExec ch = s.createExecChannel(command)) {
        ch.setOut(out);
        ch.setErr(err);
        ch.open().verify(5_000);
        ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 40_000);
        Integer exit = ch.getExitStatus();
        return new Result(exit == null ? -1 : exit, out.toString(StandardCharsets.UTF_8).trim(),
            err.toString(StandardCharsets.UTF_8).trim());
      }
    }
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
