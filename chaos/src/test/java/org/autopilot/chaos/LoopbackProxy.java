package org.autopilot.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of one server port, which can be cut and restored: while
 * cut, every open connection through it is closed and new ones are closed as soon as they are
 * accepted, so nobody who dials the relay's port reaches the server behind it. It relays bytes,
 * so it works for gRPC (Ratis) and HTTP alike.
 *
 * <p>What cutting a replica's relays simulates: an <em>inbound</em> partition of that replica —
 * neither its peers nor any client can open or keep a connection to it — while its process and
 * disk run on. What it does not cut: the replica's own outgoing connections to its peers' relays
 * (all replicas share one JVM and one loopback address, so a relay cannot tell whose connection
 * it carries). So an isolated follower stops receiving the log but can still ask the others for
 * votes, and an isolated leader can still send heartbeats and entries to its followers (and read
 * their answers on those connections) while no client and no follower can reach it: an
 * asymmetric partition, not a cable pulled out. Also not simulated: packets silently dropped (a
 * cut closes connections, so callers learn fast rather than by timeout).
 */
final class LoopbackProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean cut;
  private volatile boolean closed;

  /** Listens on 127.0.0.1:{@code port} and relays to 127.0.0.1:{@code target}. */
  LoopbackProxy(int port, int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    this.acceptor = new Thread(this::acceptLoop, "proxy-" + port + "-" + target);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port it listens on. */
  int port() {
    return listener.getLocalPort();
  }

  /** Closes every connection through it and refuses new ones until {@link #restore()}. */
  void cut() {
    cut = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** Relays again. */
  void restore() {
    cut = false;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      if (cut) {
        closeQuietly(in);
        continue;
      }
      Socket out;
      try {
        out = new Socket();
        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
      } catch (IOException e) {
        closeQuietly(in); // the server behind is down: the caller sees a closed connection
        continue;
      }
      open.add(in);
      open.add(out);
      pump(in, out);
      pump(out, in);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
        for (int n; (n = i.read(buf)) >= 0; ) {
          if (cut) {
            break;
          }
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException ignored) {
        // a side closed: close both below
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }, "proxy-pump-" + port());
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
