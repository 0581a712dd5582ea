package org.autopilot.watchdogs.service;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.manifests.Durations;
import org.autopilot.watchdogs.service.FleetVerdicts.ProbeTarget;

/**
 * The outside probe: can the machine be reached over SSH, and is it still the machine whose
 * host key the DM pinned? One Apache MINA SSH client; each probe connects, completes the key
 * exchange (the host key is checked against the DM's fingerprint during it, and a changed key
 * ends the connection before anything is sent), and, when a login key is configured, logs in.
 * Nothing is run on the machine. At most {@code concurrency} probes at once, each bounded by
 * {@code timeout}.
 */
final class SshProber implements AutoCloseable {
  private static final AttributeKey<Probe> PROBE = new AttributeKey<>();

  private final SshClient client;
  private final boolean login;
  private final String user;
  private final Duration timeout;
  private final ExecutorService pool;

  /**
   * One probe's verdict.
   *
   * @param machine the machine probed
   * @param status OK, Error (unreachable, login refused, host key mismatch) or Unknown (nothing
   *     to check against)
   * @param text a stable description (no timings, so an unchanged outcome is not news)
   * @param presentedKey the fingerprint the machine presented when it is not the pinned one;
   *     null otherwise
   */
  record Result(MachineId machine, Health status, String text, String presentedKey) {
    Result(MachineId machine, Health status, String text) {
      this(machine, status, text, null);
    }
  }

  /** A prober logging in as {@code user} with {@code identity} (null: key exchange only). */
  SshProber(KeyPair identity, String user, Duration timeout, int concurrency) {
    this.login = identity != null;
    this.user = user;
    this.timeout = timeout;
    this.client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((session, remote, key) ->
        session.getConnectionContext().getAttribute(PROBE).accept(key));
    if (identity != null) {
      client.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(identity));
    }
    client.start();
    this.pool = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
      Thread t = new Thread(r, "wd-probe");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Probes every target, at most {@code concurrency} at once, handing each result to
   * {@code done} as it comes; stops starting new probes once {@code keepGoing} is false.
   */
  void probeAll(List<ProbeTarget> targets, Consumer<Result> done, BooleanSupplier keepGoing)
      throws InterruptedException {
    List<Future<?>> running = new ArrayList<>(targets.size());
    for (ProbeTarget t : targets) {
      running.add(pool.submit(() -> {
        if (keepGoing.getAsBoolean()) {
          done.accept(probe(t));
        }
      }));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // a probe that threw has no verdict; the next round tries again
      }
    }
  }

  /** One probe, blocking for at most about twice the timeout. */
  Result probe(ProbeTarget t) {
    String fp = t.hostKeyFingerprint();
    if (fp == null || fp.isBlank()) {
      return new Result(t.machine(), Health.UNKNOWN, "no host key fingerprint recorded in the DM");
    }
    HostPort hp = HostPort.parse(t.address());
    if (hp == null) {
      return new Result(t.machine(), Health.UNKNOWN, "no usable management address ('"
          + t.address() + "')");
    }
    Probe probe = new Probe(fp);
    try (ClientSession s = client.connect(user, hp.host(), hp.port(),
        AttributeRepository.ofKeyValuePair(PROBE, probe), null).verify(timeout).getSession()) {
      if (login) {
        s.auth().verify(timeout);
      } else {
        Set<ClientSessionEvent> ev = s.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH,
            ClientSessionEvent.CLOSED), timeout);
        if (!ev.contains(ClientSessionEvent.WAIT_AUTH)) {
          return failed(t, probe, new IOException(ev.contains(ClientSessionEvent.CLOSED)
              ? "closed during key exchange" : "no answer within " + Durations.format(timeout)));
        }
      }
      if (probe.mismatch != null) {
        return failed(t, probe, null);
      }
      return new Result(t.machine(), Health.OK, login ? "reachable, host key verified, login ok"
          : "reachable, host key verified");
    } catch (IOException | RuntimeException e) {
      return failed(t, probe, e);
    }
  }

  private Result failed(ProbeTarget t, Probe probe, Exception e) {
    if (probe.mismatch != null) {
      return new Result(t.machine(), Health.ERROR, "host key mismatch: expected "
          + probe.expected + ", got " + probe.mismatch, probe.mismatch);
    }
    if (probe.seen && login) {
      return new Result(t.machine(), Health.ERROR, "login refused: " + describe(e));
    }
    return new Result(t.machine(), Health.ERROR, "unreachable: " + describe(e));
  }

  /** A stable, short description of why a probe failed. */
  private String describe(Throwable e) {
    Throwable root = e;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      if (root instanceof ConnectException || root instanceof UnknownHostException
          || root instanceof NoRouteToHostException) {
        break;
      }
      root = root.getCause();
    }
    if (root instanceof ConnectException) {
      return "connection refused";
    }
    if (root instanceof UnknownHostException) {
      return "unknown host";
    }
    if (root instanceof NoRouteToHostException) {
      return "no route to host";
    }
    String msg = root == null || root.getMessage() == null ? "" : root.getMessage();
    if (root instanceof TimeoutException || msg.toLowerCase().contains("timeout")
        || msg.toLowerCase().contains("timed out")) {
      return "no answer within " + Durations.format(timeout);
    }
    String what = root == null ? "failed" : root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    return what.length() > 200 ? what.substring(0, 200) : what;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    client.stop();
  }

  /** The host key check of one connection. */
  private static final class Probe {
    final String expected;
    volatile boolean seen;
    volatile String mismatch;

    Probe(String expected) {
      this.expected = expected;
    }

    boolean accept(PublicKey key) {
      seen = true;
      boolean same;
      try {
        same = KeyUtils.checkFingerPrint(expected, key).getKey();
      } catch (RuntimeException e) {
        same = false;
      }
      if (!same) {
        mismatch = KeyUtils.getFingerPrint(key);
      }
      return same;
    }
  }

  /**
   * A {@code host:port} management address.
   *
   * @param host host name or address
   * @param port TCP port
   */
  record HostPort(String host, int port) {
    /** Parses {@code host:port} or {@code [v6]:port}; null if it is neither. */
    static HostPort parse(String address) {
      if (address == null) {
        return null;
      }
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || colon == address.length() - 1) {
        return null;
      }
      String host = address.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        return port > 0 && port < 65536 && !host.isEmpty() ? new HostPort(host, port) : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }
}
