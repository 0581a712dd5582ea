package org.autopilot.repair.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.PasswordIdentityProvider;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Runs one command on a machine over SSH, the way a repair must: the server's host key is
 * checked against the fingerprint the DM pinned for the machine before anything else happens
 * (a mismatch ends the session before login, the command is never sent), login is by the
 * configured private key only (no agent, no {@code ~/.ssh}, no passwords), connecting, login and
 * the command each have a bound, and output is capped. Thread-safe; one client for every
 * session.
 */
public final class ManagementShell implements AutoCloseable {
  /** Characters of output kept in an outcome's detail. */
  public static final int DETAIL_OUTPUT = 500;
  private static final int KEEP_BYTES = 4 * DETAIL_OUTPUT;
  private static final AttributeKey<Pin> PIN = new AttributeKey<>();

  private final SshClient client;
  private final String user;
  private final KeyPair identity;
  private final Duration connectTimeout;
  private final Duration commandTimeout;
  private final Set<ClientSession> open = ConcurrentHashMap.newKeySet();
  private volatile boolean aborting;

  /**
   * What one command did.
   *
   * @param succeeded it ran and exited 0
   * @param detail for the DM and humans: the exit status and the first
   *     {@value #DETAIL_OUTPUT} characters of output, or why it did not run or did not end
   * @param presentedKey when the machine presented a host key other than the pinned one, its
   *     fingerprint (the command was not sent); null otherwise
   */
  public record Outcome(boolean succeeded, String detail, String presentedKey) {
    /** An outcome with no host key mismatch. */
    public Outcome(boolean succeeded, String detail) {
      this(succeeded, detail, null);
    }
  }

  /**
   * A shell logging in as {@code user} with {@code identity}.
   *
   * @param connectTimeout bound on connecting, key exchange and login, each
   * @param commandTimeout bound on the command, from sending it to its exit
   */
  public ManagementShell(String user, KeyPair identity, Duration connectTimeout, Duration commandTimeout) {
    this.user = user;
    this.identity = identity;
    this.connectTimeout = connectTimeout;
    this.commandTimeout = commandTimeout;
    this.client = SshClient.setUpDefaultClient();
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
    client.setServerKeyVerifier((session, remote, key) -> {
      AttributeRepository context = session.getConnectionContext();
      Pin pin = context == null ? null : context.getAttribute(PIN);
      return pin != null && pin.check(key);
    });
    client.start();
  }

  /** Loads the first key pair of an OpenSSH or PEM private key file (not passphrase-protected). */
  public static KeyPair loadIdentity(Path file) throws IOException {
    try {
      Iterator<KeyPair> keys = new FileKeyPairProvider(file).loadKeys(null).iterator();
      if (!keys.hasNext()) {
        throw new IOException(file + " holds no private key");
      }
      return keys.next();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(file + ": cannot read the private key: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code command} on the machine at {@code address} ({@code host:port}, port 22 if
   * absent) whose host key must match {@code pinnedFingerprint} ({@code SHA256:...} or
   * {@code MD5:...}). Never throws for the machine's sake: every failure is an outcome.
   */
  public Outcome run(String address, String pinnedFingerprint, String command) {
    if (aborting) {
      return new Outcome(false, "not run: the repair service is stopping");
    }
    SshdSocketAddress target;
    try {
      target = parse(address);
    } catch (IllegalArgumentException e) {
      return new Outcome(false, "not run: " + e.getMessage());
    }
    Pin pin = new Pin(pinnedFingerprint);
    ClientSession session;
    try {
      session = client.connect(user, target.getHostName(), target.getPort(),
          AttributeRepository.ofKeyValuePair(PIN, pin)).verify(connectTimeout).getSession();
    } catch (IOException | RuntimeException e) {
      return pin.mismatch() ? pin.outcome() : new Outcome(false, "cannot connect to " + address
          + ": " + reason(e));
    }
    open.add(session);
    try (session) {
      session.addPublicKeyIdentity(identity);
      try {
        session.auth().verify(connectTimeout);
      } catch (IOException | RuntimeException e) {
        return pin.mismatch() ? pin.outcome() : new Outcome(false, "login to " + address + " as "
            + user + " failed: " + reason(e));
      }
      if (pin.mismatch() || !pin.checked()) {
        return pin.outcome();
      }
      return exec(session, command);
    } catch (IOException | RuntimeException e) {
      return new Outcome(false, "SSH to " + address + " failed: " + reason(e));
    } finally {
      open.remove(session);
    }
  }

  private Outcome exec(ClientSession session, String command) throws IOException {
    CappedOutput output = new CappedOutput(KEEP_BYTES);
    try (ChannelExec ch = session.createExecChannel(command)) {
      ch.setOut(output);
      ch.setErr(output);
      ch.open().verify(connectTimeout);
      Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
          commandTimeout);
      Integer exit = ch.getExitStatus();
      if (events.contains(ClientChannelEvent.TIMEOUT) && exit == null) {
        return new Outcome(false, "timed out after " + seconds(commandTimeout) + output.head());
      }
      if (exit == null) {
        return new Outcome(false, (aborting
            ? "interrupted: the repair service stopped while the command ran; its effect is unknown"
            : "no exit status: the connection closed while the command ran") + output.head());
      }
      return new Outcome(exit == 0, "exit " + exit + output.head());
    }
  }

  /** Ends every session now (the commands' effects are unknown); later calls run nothing. */
  public void abort() {
    aborting = true;
    for (ClientSession s : open) {
      s.close(true);
    }
  }

  @Override
  public void close() {
    abort();
    client.stop();
  }

  static SshdSocketAddress parse(String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("the machine has no address");
    }
    String a = address.trim();
    String host = a;
    int port = 22;
    int colon = a.lastIndexOf(':');
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("address '" + address + "' is not host:port");
      }
      host = a.substring(1, close);
      colon = a.indexOf(':', close);
      port = colon < 0 ? 22 : port(a.substring(colon + 1), address);
    } else if (colon >= 0 && a.indexOf(':') == colon) {
      host = a.substring(0, colon);
      port = port(a.substring(colon + 1), address);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("address '" + address + "' has no host");
    }
    return new SshdSocketAddress(host, port);
  }

  private static int port(String text, String address) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new IllegalArgumentException("address '" + address + "' has no valid port");
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** The host key a session must present, and what it presented. */
  private static final class Pin {
    private final String expected;
    private volatile String seen;
    private volatile boolean matched;

    Pin(String expected) {
      this.expected = expected;
    }

    boolean check(PublicKey key) {
      seen = KeyUtils.getFingerPrint(key);
      boolean ok;
      try {
        ok = expected != null && !expected.isBlank()
            && Boolean.TRUE.equals(KeyUtils.checkFingerPrint(expected.trim(), key).getKey());
      } catch (RuntimeException e) {
        ok = false;
      }
      matched = ok;
      return ok;
    }

    boolean checked() {
      return seen != null;
    }

    boolean mismatch() {
      return seen != null && !matched;
    }

    Outcome outcome() {
      if (seen == null) {
        return new Outcome(false, "host key mismatch: the server presented no host key");
      }
      return new Outcome(false, "host key mismatch: the DM pinned "
          + (expected == null || expected.isBlank() ? "no key" : expected) + ", the server presented "
          + seen + "; the command was not sent", seen);
    }
  }

  /** Keeps the first bytes written by stdout and stderr together, counts the rest. */
  private static final class CappedOutput extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int cap;
    private long total;

    CappedOutput(int cap) {
      this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
      if (kept.size() < cap) {
        kept.write(b);
      }
      total++;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = Math.min(len, cap - kept.size());
      if (room > 0) {
        kept.write(b, off, room);
      }
      total += len;
    }

    /** ": " and the first characters of output, or "" if there was none. */
    synchronized String head() {
      String s = kept.toString(StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        return "";
      }
      boolean cut = s.length() > DETAIL_OUTPUT || total > kept.size();
      return ": " + (s.length() > DETAIL_OUTPUT ? s.substring(0, DETAIL_OUTPUT) : s)
          + (cut ? " [" + total + " bytes of output]" : "");
    }
  }
}
