package org.autopilot.provisioning.ssh;

import java.io.ByteArrayInputStream;
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
 * SSH sessions to machines for discovery and imaging (Apache MINA SSHD client). A session is
 * opened either <em>pinned</em> — the server's host key must match the fingerprint the DM holds,
 * checked during key exchange, before login — or <em>observing</em> — any key is accepted and
 * recorded (discovery of a machine nobody has seen, whose key is then compared with the DM's by
 * the caller). Login is by the configured private key only (no agent, no {@code ~/.ssh}, no
 * passwords); connecting, login and every command are bounded; output is capped. Thread-safe;
 * one client for every session.
 */
public final class MachineShell implements AutoCloseable {
  /** Bytes of stdout kept per command; more is counted and dropped. */
  public static final int MAX_OUTPUT = 64 * 1024;
  private static final AttributeKey<KeyCheck> CHECK = new AttributeKey<>();

  private final SshClient client;
  private final String user;
  private final KeyPair identity;
  private final Duration connectTimeout;
  private final Set<ClientSession> open = ConcurrentHashMap.newKeySet();
  private volatile boolean aborting;

  /** Why a session could not be had. */
  public enum Failure {
    /** Nothing answered (refused, timed out, not SSH). */
    UNREACHABLE,
    /** The server's host key is not the pinned one; nothing was sent. */
    HOST_KEY_MISMATCH,
    /** The server refused our key. */
    LOGIN_REFUSED
  }

  /** A session that could not be opened, with why. */
  public static final class ShellException extends IOException {
    private final Failure failure;
    private final String presentedKey;

    ShellException(Failure failure, String message, String presentedKey) {
      super(message);
      this.failure = failure;
      this.presentedKey = presentedKey;
    }

    /** The kind of failure. */
    public Failure failure() {
      return failure;
    }

    /** The host key fingerprint the server presented, or null if it got that far. */
    public String presentedKey() {
      return presentedKey;
    }
  }

  /**
   * What one command did.
   *
   * @param exit its exit status, or null if none came (connection lost, timed out)
   * @param out stdout (at most {@link #MAX_OUTPUT} bytes, UTF-8)
   * @param err stderr (at most {@link #MAX_OUTPUT} bytes, UTF-8)
   * @param timedOut the command did not end within its bound
   */
  public record Result(Integer exit, String out, String err, boolean timedOut) {
    /** Exit status 0. */
    public boolean ok() {
      return exit != null && exit == 0;
    }

    /** For humans: {@code exit 74: I/O error} or why there is no status. */
    public String describe() {
      String text = (err.isBlank() ? out : err).strip();
      if (text.length() > 300) {
        text = text.substring(0, 300) + "...";
      }
      String head = timedOut ? "timed out" : exit == null ? "no exit status (connection lost)" : "exit " + exit;
      return text.isEmpty() ? head : head + ": " + text.replace('\n', ' ');
    }
  }

  /** A shell logging in as {@code user} with {@code identity}; {@code connectTimeout} bounds each phase. */
  public MachineShell(String user, KeyPair identity, Duration connectTimeout) {
    this.user = user;
    this.identity = identity;
    this.connectTimeout = connectTimeout;
    this.client = SshClient.setUpDefaultClient();
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setPasswordIdentityProvider(PasswordIdentityProvider.EMPTY_PASSWORDS_PROVIDER);
    client.setServerKeyVerifier((session, remote, key) -> {
      AttributeRepository context = session.getConnectionContext();
      KeyCheck check = context == null ? null : context.getAttribute(CHECK);
      return check != null && check.check(key);
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
   * Opens a logged-in session to {@code address} ({@code host:port}, port 22 if absent). With
   * {@code pinned} null any host key is accepted and reported by {@link Session#hostKey()};
   * otherwise the key must match it ({@code SHA256:...} or {@code MD5:...}).
   */
  public Session open(String address, String pinned) throws ShellException {
    if (aborting) {
      throw new ShellException(Failure.UNREACHABLE, "not connected: the shell is stopping", null);
    }
    SshdSocketAddress target;
    try {
      target = parse(address);
    } catch (IllegalArgumentException e) {
      throw new ShellException(Failure.UNREACHABLE, e.getMessage(), null);
    }
    KeyCheck check = new KeyCheck(pinned);
    ClientSession session;
    try {
      session = client.connect(user, target.getHostName(), target.getPort(),
          AttributeRepository.ofKeyValuePair(CHECK, check)).verify(connectTimeout).getSession();
    } catch (IOException | RuntimeException e) {
      throw check.mismatch() ? check.failure(address)
          : new ShellException(Failure.UNREACHABLE, "cannot connect to " + address + ": " + reason(e), null);
    }
    open.add(session);
    try {
      session.addPublicKeyIdentity(identity);
      try {
        session.auth().verify(connectTimeout);
      } catch (IOException | RuntimeException e) {
        if (check.mismatch()) {
          throw check.failure(address);
        }
        if (check.seen == null) {
          throw new ShellException(Failure.UNREACHABLE, "SSH to " + address + " failed: " + reason(e), null);
        }
        throw new ShellException(Failure.LOGIN_REFUSED, "login to " + address + " as " + user
            + " failed: " + reason(e), check.seen);
      }
      if (check.mismatch() || check.seen == null) {
        throw check.failure(address);
      }
      return new Session(session, check.seen);
    } catch (ShellException e) {
      open.remove(session);
      session.close(true);
      throw e;
    }
  }

  /** Ends every session now; later calls connect nothing. */
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

  /** One logged-in session: any number of commands, one after the other. */
  public final class Session implements AutoCloseable {
    private final ClientSession session;
    private final String hostKey;

    private Session(ClientSession session, String hostKey) {
      this.session = session;
      this.hostKey = hostKey;
    }

    /** The fingerprint ({@code SHA256:...}) of the host key the server presented. */
    public String hostKey() {
      return hostKey;
    }

    /** Runs {@code command}, bounded by {@code timeout}; never throws for the machine's sake. */
    public Result exec(String command, Duration timeout) {
      return exec(command, null, timeout);
    }

    /** Runs {@code command} with {@code stdin} (null: none), bounded by {@code timeout}. */
    public Result exec(String command, byte[] stdin, Duration timeout) {
      Capped out = new Capped();
      Capped err = new Capped();
      try (ChannelExec ch = session.createExecChannel(command)) {
        ch.setOut(out);
        ch.setErr(err);
        if (stdin != null) {
          ch.setIn(new ByteArrayInputStream(stdin));
        }
        ch.open().verify(connectTimeout);
        Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
        Integer exit = ch.getExitStatus();
        return new Result(exit, out.text(), err.text(),
            exit == null && events.contains(ClientChannelEvent.TIMEOUT));
      } catch (IOException | RuntimeException e) {
        return new Result(null, out.text(), "SSH failed: " + reason(e), false);
      }
    }

    @Override
    public void close() {
      open.remove(session);
      session.close(false);
    }
  }

  static SshdSocketAddress parse(String address) {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("no address");
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

  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** The host key check of one connection: pinned, or observing. */
  private static final class KeyCheck {
    private final String expected;
    private volatile String seen;
    private volatile boolean matched;

    KeyCheck(String expected) {
      this.expected = expected;
    }

    boolean check(PublicKey key) {
      seen = KeyUtils.getFingerPrint(key);
      if (expected == null) {
        matched = true;
        return true;
      }
      boolean ok;
      try {
        ok = !expected.isBlank()
            && Boolean.TRUE.equals(KeyUtils.checkFingerPrint(expected.trim(), key).getKey());
      } catch (RuntimeException e) {
        ok = false;
      }
      matched = ok;
      return ok;
    }

    boolean mismatch() {
      return seen != null && !matched;
    }

    ShellException failure(String address) {
      if (seen == null) {
        return new ShellException(Failure.UNREACHABLE, address + " presented no host key", null);
      }
      return new ShellException(Failure.HOST_KEY_MISMATCH, "host key mismatch at " + address
          + ": the DM pinned " + expected + ", the server presented " + seen
          + "; nothing was sent", seen);
    }
  }

  /** Keeps the first {@link #MAX_OUTPUT} bytes written. */
  private static final class Capped extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (kept.size() < MAX_OUTPUT) {
        kept.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = Math.min(len, MAX_OUTPUT - kept.size());
      if (room > 0) {
        kept.write(b, off, room);
      }
    }

    synchronized String text() {
      return kept.toString(StandardCharsets.UTF_8);
    }
  }
}
