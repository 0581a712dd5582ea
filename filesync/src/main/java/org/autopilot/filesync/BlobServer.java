package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.tls.Https;
import org.autopilot.tls.ServerIdentity;
import org.eclipse.jetty.server.HttpOutput;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Serves a {@link ContentStore} over HTTP:
 * <ul>
 *   <li>{@code GET /blobs/{sha256}} with range requests ({@code Range: bytes=N-} or
 *       {@code bytes=N-M}); of a blob still being assembled only ranges within verified chunks
 *       are served (others: 404), and only as ranges;
 *   <li>{@code GET /blobs/{sha256}/chunks}: the chunk list;
 *   <li>{@code GET /blobs/{sha256}/have}: which chunks are held ({@link ChunkBitmap});
 *   <li>{@code POST|GET /tracker/{sha256}} when it hosts a {@link Tracker}.
 * </ul>
 * All transfers share one uplink cap (token bucket, bytes per second); beyond
 * {@code maxConcurrent} transfers a request waits up to {@code queueWait} for one to end, then
 * gets 503 with {@code Retry-After}.
 */
public final class BlobServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");
  /** Bytes read and sent at a time (a multiple of any block size). */
  private static final int PIECE = 128 * 1024;
  private final ContentStore store;
  private final Bucket uplink;
  private final int maxConcurrent;
  private final Semaphore slots;
  private final long queueWaitNanos;
  private final Javalin app;
  private ServerIdentity tls;
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile long failAfter = -1;
  private volatile java.util.function.Consumer<String> onMiss = hash -> {};

  /**
   * What {@code GET /blobs/{hash}/have} answers.
   *
   * @param size blob size in bytes
   * @param chunkSize chunk size in bytes
   * @param count number of chunks
   * @param have {@link ChunkBitmap} of the chunks held here, verified
   * @param complete whether every chunk is held
   */
  public record Have(long size, int chunkSize, int count, String have, boolean complete) {}

  /** A server for {@code store}; {@code capBytesPerSecond} 0 means uncapped; a full server refuses at once. */
  public BlobServer(ContentStore store, long capBytesPerSecond, int maxConcurrent) {
    this(store, capBytesPerSecond, maxConcurrent, Duration.ZERO);
  }

  /**
   * A server for {@code store}; {@code capBytesPerSecond} 0 means uncapped. A request finding
   * {@code maxConcurrent} transfers under way waits up to {@code queueWait} for a slot before it
   * is refused: a short wait saves the round trips of fetchers asking again and again.
   */
  public BlobServer(ContentStore store, long capBytesPerSecond, int maxConcurrent, Duration queueWait) {
    this.store = store;
    this.queueWaitNanos = queueWait.toNanos();
    this.uplink = Bandwidth.cap(capBytesPerSecond);
    this.maxConcurrent = maxConcurrent;
    this.slots = new Semaphore(maxConcurrent);
    this.app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.http.disableCompression();
      QueuedThreadPool threads = new QueuedThreadPool(Math.max(32, 3 * maxConcurrent + 16), 2, 30_000);
      threads.setName("blob-server");
      cfg.jetty.threadPool = threads;
    });
    app.get("/blobs/{hash}", this::blob);
    app.get("/blobs/{hash}/chunks", ctx -> {
      String hash = ContentStore.checkHash(ctx.pathParam("hash"));
      if (store.has(hash)) {
        ctx.json(store.chunks(hash));
      } else {
        Optional<PartialBlob> partial = store.assembling(hash);
        if (partial.isPresent()) {
          ctx.json(partial.get().chunks());
        } else {
          onMiss.accept(hash);
          ctx.status(404).json(Map.of("error", "no blob " + hash));
        }
      }
    });
    app.get("/blobs/{hash}/have", ctx -> {
      Have have = have(ContentStore.checkHash(ctx.pathParam("hash")));
      if (have == null) {
        ctx.status(404).json(Map.of("error", "no blob " + ctx.pathParam("hash")));
      } else {
        ctx.json(have);
      }
    });
    app.exception(IllegalArgumentException.class, (e, ctx) ->
        ctx.status(400).json(Map.of("error", String.valueOf(e.getMessage()))));
  }

  /** Hosts {@code tracker} at {@code /tracker/{hash}} (POST: announce, GET: view); call before {@link #start}. */
  public BlobServer hostTracker(Tracker tracker) {
    app.post("/tracker/{hash}", ctx ->
        ctx.json(tracker.announce(ctx.pathParam("hash"), ctx.bodyAsClass(Tracker.Announce.class))));
    app.get("/tracker/{hash}", ctx -> ctx.json(tracker.view(ctx.pathParam("hash"))));
    return this;
  }

  /**
   * Fault injection: every transfer from now on breaks its connection after {@code bytes}
   * bytes (-1 = never), as a crashing or flaky server would.
   */
  public void failAfter(long bytes) {
    failAfter = bytes;
  }

  /** Called (on the request thread; must not block) for every request of a blob not here. */
  public BlobServer onMiss(java.util.function.Consumer<String> handler) {
    onMiss = handler;
    return this;
  }

  /** The underlying web app, for a service that adds its own routes before {@link #start}. */
  public Javalin http() {
    return app;
  }

  /** Serves HTTPS only with {@code identity} (null = plain HTTP); call before {@link #start}. */
  public BlobServer tls(ServerIdentity identity) {
    this.tls = identity;
    return this;
  }

  /** Serves on 127.0.0.1:{@code port} (0 = any free port). */
  public BlobServer start(int port) {
    Https.start(app, tls, "127.0.0.1", port);
    return this;
  }

  /** The port served on. */
  public int port() {
    return app.port();
  }

  /** The base URI of this server, {@code http://127.0.0.1:port} ({@code https} with TLS). */
  public URI uri() {
    return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port());
  }

  /** Blob transfers being sent now. */
  public int activeTransfers() {
    return maxConcurrent - slots.availablePermits();
  }

  /** Blob bytes sent since start (bodies of {@code GET /blobs/{hash}} only). */
  public long bytesSent() {
    return bytesSent.get();
  }

  /** Blob requests refused with 503 since start (too many transfers at once). */
  public long refused() {
    return refused.get();
  }

  @Override
  public void close() {
    app.stop();
  }

  private Have have(String hash) throws IOException {
    if (store.has(hash)) {
      ContentStore.Chunks c = store.chunks(hash);
      BitSet all = new BitSet();
      all.set(0, c.chunks().size());
      return new Have(c.size(), c.chunkSize(), c.chunks().size(), ChunkBitmap.encode(all), true);
    }
    return store.assembling(hash).map(p -> new Have(p.chunks().size(), p.chunks().chunkSize(),
        p.count(), ChunkBitmap.encode(p.held()), false)).orElse(null);
  }

  private void blob(Context ctx) throws IOException, InterruptedException {
    String hash = ContentStore.checkHash(ctx.pathParam("hash"));
    Path file = store.path(hash);
    PartialBlob partial = Files.exists(file) ? null : store.assembling(hash).orElse(null);
    if (partial == null && !Files.exists(file)) {
      onMiss.accept(hash);
      ctx.status(404).json(Map.of("error", "no blob " + hash));
      return;
    }
    long size = partial != null ? partial.chunks().size() : Files.size(file);
    String range = ctx.header("Range");
    if (partial != null && range == null) {
      ctx.status(404).json(Map.of("error", hash + " is incomplete here: ask for a range of held chunks"));
      return;
    }
    long from = 0;
    long to = size - 1;
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("unsupported Range '" + range + "'");
      }
      from = Long.parseLong(m.group(1));
      to = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
      if (from >= size || from > to) {
        ctx.status(416).header("Content-Range", "bytes */" + size);
        return;
      }
      if (partial != null && !partial.holdsRange(from, to)) {
        ctx.status(404).json(Map.of("error", "bytes " + from + "-" + to + " of " + hash + " are not held here yet"));
        return;
      }
    }
    if (!slots.tryAcquire(queueWaitNanos, TimeUnit.NANOSECONDS)) {
      refused.incrementAndGet();
      ctx.status(503).header("Retry-After", "1").json(Map.of("error", "busy: too many transfers"));
      return;
    }
    try {
      if (range != null) {
        ctx.status(206).header("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      ctx.contentType("application/octet-stream");
      ctx.header("Content-Length", Long.toString(to - from + 1));
      send(hash, partial, from, to - from + 1, ctx.res().getOutputStream());
    } finally {
      slots.release();
    }
  }

  /**
   * Sends bytes [from, from + length) of the blob, reading whole blocks into a direct buffer
   * (bypassing the page cache where the store does) and writing that buffer to the socket.
   */
  private void send(String hash, PartialBlob partial, long from, long length, OutputStream out)
      throws IOException, InterruptedException {
    BlockIo io = store.io();
    HttpOutput direct = out instanceof HttpOutput h ? h : null;
    try (FileChannel file = open(hash, partial)) {
      long pos = from;
      long end = from + length;
      long limit = failAfter;
      while (pos < end) {
        if (limit >= 0 && pos - from >= limit) {
          throw new IOException("injected fault: connection broken after " + limit + " bytes");
        }
        long aligned = io.alignDown(pos);
        int skip = (int) (pos - aligned);
        ByteBuffer buf = io.read(file, aligned, (int) Math.min(PIECE, end - aligned), BlockIo.scratch(PIECE));
        if (buf.limit() <= skip) {
          throw new IOException("file shrank while being served");
        }
        buf.position(skip);
        if (limit >= 0 && pos - from + buf.remaining() > limit) {
          buf.limit(skip + (int) (limit - (pos - from)));
        }
        int n = buf.remaining();
        Bandwidth.take(uplink, n);
        if (direct != null) {
          direct.write(buf);
        } else {
          byte[] copy = new byte[n];
          buf.get(copy);
          out.write(copy);
        }
        pos += n;
        bytesSent.addAndGet(n);
      }
      out.flush();
    }
  }

  /**
   * A channel of its own on the blob's file (never the assembler's: an interrupted server thread
   * closes the channel it reads). A partial that was committed meanwhile is found under its
   * final name; its held chunks are the same bytes.
   */
  private FileChannel open(String hash, PartialBlob partial) throws IOException {
    if (partial != null) {
      try {
        return store.io().open(partial.file(), StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        // committed (or discarded) since the request came in
      }
    }
    return store.io().open(store.path(hash), StandardOpenOption.READ);
  }
}
