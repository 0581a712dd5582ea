package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a {@link ContentStore} over HTTP: {@code GET /blobs/{sha256}} with range requests
 * ({@code Range: bytes=N-} or {@code bytes=N-M}) and {@code GET /blobs/{sha256}/chunks}. All
 * transfers share one uplink cap (token bucket, bytes per second); beyond
 * {@code maxConcurrent} transfers the server answers 503 with {@code Retry-After}.
 */
public final class BlobServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");
  private final ContentStore store;
  private final Bucket uplink;
  private final Semaphore slots;
  private final Javalin app;
  private volatile long failAfter = -1;
  private volatile java.util.function.Consumer<String> onMiss = hash -> {};

  /** A server for {@code store}; {@code capBytesPerSecond} 0 means uncapped. */
  public BlobServer(ContentStore store, long capBytesPerSecond, int maxConcurrent) {
    this.store = store;
    this.uplink = Bandwidth.cap(capBytesPerSecond);
    this.slots = new Semaphore(maxConcurrent);
    this.app = Javalin.create(cfg -> cfg.showJavalinBanner = false);
    app.get("/blobs/{hash}", this::blob);
    app.get("/blobs/{hash}/chunks", ctx -> {
      String hash = ContentStore.checkHash(ctx.pathParam("hash"));
      if (!store.has(hash)) {
        onMiss.accept(hash);
        ctx.status(404).json(Map.of("error", "no blob " + hash));
        return;
      }
      ctx.json(store.chunks(hash));
    });
    app.exception(IllegalArgumentException.class, (e, ctx) ->
        ctx.status(400).json(Map.of("error", String.valueOf(e.getMessage()))));
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

  /** Serves on 127.0.0.1:{@code port} (0 = any free port). */
  public BlobServer start(int port) {
    app.start("127.0.0.1", port);
    return this;
  }

  /** The port served on. */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  private void blob(Context ctx) throws IOException, InterruptedException {
    String hash = ContentStore.checkHash(ctx.pathParam("hash"));
    Path file = store.path(hash);
    if (!Files.exists(file)) {
      onMiss.accept(hash);
      ctx.status(404).json(Map.of("error", "no blob " + hash));
      return;
    }
    if (!slots.tryAcquire()) {
      ctx.status(503).header("Retry-After", "1").json(Map.of("error", "busy: too many transfers"));
      return;
    }
    try {
      long size = Files.size(file);
      long from = 0;
      long to = size - 1;
      String range = ctx.header("Range");
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
        ctx.status(206).header("Content-Range", "bytes " + from + "-" + to + "/" + size);
      }
      ctx.contentType("application/octet-stream");
      ctx.header("Content-Length", Long.toString(to - from + 1));
      send(file, from, to - from + 1, ctx.res().getOutputStream());
    } finally {
      slots.release();
    }
  }

  private void send(Path file, long from, long length, OutputStream out)
      throws IOException, InterruptedException {
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(from);
      byte[] buf = new byte[32_768];
      long left = length;
      long limit = failAfter;
      while (left > 0) {
        if (limit >= 0 && length - left >= limit) {
          throw new IOException("injected fault: connection broken after " + limit + " bytes");
        }
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException("file shrank while being served");
        }
        if (uplink != null) {
          uplink.asBlocking().consume(n);
        }
        out.write(buf, 0, n);
        left -= n;
      }
      out.flush();
    }
  }
}
