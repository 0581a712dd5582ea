package org.autopilot.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of one server port, which can be cut and restored, and which
 * can drop the connections a given Raft peer opened through it.
 *
 * <p>{@link #cut()}: every open connection through it is closed and its port stops listening
 * (connections refused) — nobody who dials it reaches the server behind it. It relays bytes,
 * so it works for gRPC (Ratis) and HTTP alike.
 *
 * <p>A replica's <em>outgoing</em> connections (to its peers' relays) cannot be told apart by
 * address: all replicas share one JVM and 127.0.0.1. So the relay reads them: every request one
 * Raft server sends another (append entries, votes, snapshots) starts with the sender's id as
 * field 1 of Ratis' {@code RaftRpcRequestProto}, followed by the receiver's id as field 2 — bytes
 * {@code 0x0A len sender 0x12 len receiver} — in the stream the dialling side writes (gRPC does
 * not compress by default). A connection whose upstream bytes
 * show that pattern for peer {@code p} is tagged {@code p}; while {@code p} is in the shared
 * {@code offline} set, a tagged connection is closed before the chunk that carries the pattern is
 * passed on, so no request of an isolated server reaches a peer and no answer comes back. What
 * is not caught: the isolated replica acting as a Raft <em>client</em> (its requests carry a
 * random client id, not its name) — the relays in front of its own ports are cut, so only
 * commands it originates itself (its health ticker while it still thinks it leads) could leak.
 * Also not simulated: packets silently dropped (a cut closes connections, so callers learn fast
 * rather than by timeout).
 */
final class LoopbackProxy implements AutoCloseable {
  private final int port;
  private volatile ServerSocket listener;
  private final int target;
  private final Set<Link> open = ConcurrentHashMap.newKeySet();
  private final Set<String> offline;
  private final List<String> peers;
  private volatile boolean cut;
  private volatile boolean closed;

  /** One relayed connection; {@code peer} is the Raft server that opened it, once seen. */
  private static final class Link {
    final Socket in;
    final Socket out;
    volatile String peer;

    Link(Socket in, Socket out) {
      this.in = in;
      this.out = out;
    }

    void close() {
      closeQuietly(in);
      closeQuietly(out);
    }
  }

  /**
   * Listens on 127.0.0.1:{@code port} and relays to 127.0.0.1:{@code target}; connections opened
   * by a Raft server in {@code peers} are dropped while its id is in {@code offline}.
   */
  LoopbackProxy(int port, int target, List<String> peers, Set<String> offline) throws IOException {
    this.target = target;
    this.peers = List.copyOf(peers);
    this.offline = offline;
    this.port = port;
    listen();
  }

  private synchronized void listen() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
    listener = s;
    Thread acceptor = new Thread(() -> acceptLoop(s), "proxy-" + port + "-" + target);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port it listens on. */
  int port() {
    return port;
  }

  /**
   * Closes every connection through it and stops listening until {@link #restore()}: callers
   * see their connections closed and new ones refused.
   */
  synchronized void cut() {
    cut = true;
    closeQuietly(listener);
    for (Link l : open) {
      l.close();
    }
    open.clear();
  }

  /** Listens and relays again. */
  synchronized void restore() throws IOException {
    if (cut && !closed) {
      cut = false;
      listen();
    }
  }

  /** Closes the connections Raft server {@code peer} opened through it. */
  void drop(String peer) {
    for (Link l : open) {
      if (peer.equals(l.peer)) {
        l.close();
        open.remove(l);
      }
    }
  }

  private void acceptLoop(ServerSocket s) {
    while (!closed && !s.isClosed()) {
      Socket in;
      try {
        in = s.accept();
      } catch (IOException e) {
        continue; // closed (cut or close): the loop ends
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
      Link link = new Link(in, out);
      open.add(link);
      pump(link, true);
      pump(link, false);
    }
  }

  private void pump(Link link, boolean upstream) {
    Socket from = upstream ? link.in : link.out;
    Socket to = upstream ? link.out : link.in;
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
        for (int n; (n = i.read(buf)) >= 0; ) {
          if (upstream && link.peer == null) {
            link.peer = sender(buf, n);
          }
          if (cut || link.peer != null && offline.contains(link.peer)) {
            break;
          }
          o.write(buf, 0, n);
          o.flush();
        }
      } catch (IOException ignored) {
        // a side closed: close both below
      } finally {
        link.close();
        open.remove(link);
      }
    }, "proxy-pump-" + port);
    t.setDaemon(true);
    t.start();
  }

  /**
   * The Raft server that sent the request in these bytes, or null: the start of a
   * {@code RaftRpcRequestProto}, its {@code requestorId} (field 1) and {@code replyId} (field 2)
   * both peer ids, {@code 0x0A len sender 0x12 len receiver}. Both are needed: a peer id alone
   * as field 1 also appears elsewhere (the commit infos' {@code RaftPeerProto.id}).
   */
  private String sender(byte[] buf, int n) {
    for (int at = 0; at + 4 < n; at++) {
      if (buf[at] != 0x0A) {
        continue;
      }
      String from = peerAt(buf, n, at + 1);
      if (from == null) {
        continue;
      }
      int next = at + 2 + from.length();
      if (next < n && buf[next] == 0x12) {
        String to = peerAt(buf, n, next + 1);
        if (to != null && !to.equals(from)) {
          return from;
        }
      }
    }
    return null;
  }

  /** The peer id at {@code at} as {@code len id}, or null. */
  private String peerAt(byte[] buf, int n, int at) {
    for (String p : peers) {
      byte[] id = p.getBytes(StandardCharsets.UTF_8);
      if (at + 1 + id.length > n || buf[at] != id.length) {
        continue;
      }
      boolean same = true;
      for (int k = 0; k < id.length && same; k++) {
        same = buf[at + 1 + k] == id[k];
      }
      if (same) {
        return p;
      }
    }
    return null;
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
  }
}
