package org.autopilot.filesync;

import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;

/**
 * One ranged {@code GET} of one chunk, read straight into a buffer over a blocking keep-alive
 * connection (the JDK's {@link HttpURLConnection}: one copy from the socket, no per-read
 * allocation), and kept only if its SHA-256 matches. {@link #abort()} cuts the connection from
 * another thread.
 */
final class ChunkTransfer {
  private static final ThreadLocal<byte[]> BUFFER = new ThreadLocal<>();
  private static final int CONNECT_TIMEOUT_MS = 3_000;
  private static final int READ_TIMEOUT_MS = 15_000;
  final int chunk;
  final URI source;
  final boolean seed;
  final Instant started;
  private volatile HttpURLConnection connection;
  private volatile boolean aborted;

  /** How a transfer ended. */
  enum Kind { ACCEPTED, CORRUPT, BUSY, MISSING, FAILED }

  /** A transfer that ended, how, and when. */
  record Ending(ChunkTransfer transfer, Kind kind, String detail, Instant at) {}

  ChunkTransfer(int chunk, URI source, boolean seed, Instant started) {
    this.chunk = chunk;
    this.source = source;
    this.seed = seed;
    this.started = started;
  }

  /** Cuts the connection; the transfer ends as failed. */
  void abort() {
    aborted = true;
    HttpURLConnection c = connection;
    if (c != null) {
      c.disconnect();
    }
  }

  /**
   * Runs the transfer into {@code blob}, paying for every byte read from {@code downlink} (null =
   * uncapped); {@code tls} makes the connection to an {@code https://} source (null = the JDK's CAs).
   */
  Ending run(PartialBlob blob, Bucket downlink, InstantSource clock, javax.net.ssl.SSLSocketFactory tls) {
    long from = blob.offset(chunk);
    int length = blob.length(chunk);
    try {
      HttpURLConnection c = (HttpURLConnection) source.resolve("/blobs/" + blob.hash()).toURL()
          .openConnection(Proxy.NO_PROXY);
      if (tls != null && c instanceof javax.net.ssl.HttpsURLConnection https) {
        https.setSSLSocketFactory(tls);
      }
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout(READ_TIMEOUT_MS);
      c.setUseCaches(false);
      c.setRequestProperty("Range", "bytes=" + from + "-" + (from + length - 1));
      connection = c;
      if (aborted) {
        return end(Kind.FAILED, "cut off (too slow)", clock);
      }
      int status = c.getResponseCode();
      if (status == 206) {
        try (InputStream in = c.getInputStream()) {
          return receive(in, blob, length, downlink, clock);
        }
      }
      try (InputStream err = c.getErrorStream()) {
        if (err != null) {
          err.readNBytes(8192);
        }
      }
      return switch (status) {
        case 503 -> end(Kind.BUSY, "busy", clock);
        case 404 -> end(Kind.MISSING, "not held there", clock);
        default -> end(Kind.FAILED, "HTTP " + status, clock);
      };
    } catch (IOException e) {
      return end(Kind.FAILED, aborted ? "cut off (too slow)" : String.valueOf(e.getMessage()), clock);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return end(Kind.FAILED, "interrupted", clock);
    } catch (RuntimeException e) {
      return end(Kind.FAILED, e.toString(), clock);
    }
  }

  private Ending receive(InputStream in, PartialBlob blob, int length, Bucket downlink, InstantSource clock)
      throws IOException, InterruptedException {
    byte[] buf = BUFFER.get();
    if (buf == null || buf.length < length) {
      buf = new byte[Math.max(length, ContentStore.CHUNK)];
      BUFFER.set(buf);
    }
    int got = 0;
    int owed = 0;
    while (got < length) {
      int n = in.read(buf, got, length - got);
      if (n < 0) {
        return end(Kind.FAILED, "connection ended after " + got + " of " + length + " bytes", clock);
      }
      got += n;
      owed += n;
      if (owed >= Bandwidth.SLICE) {
        Bandwidth.take(downlink, owed);
        owed = 0;
      }
    }
    Bandwidth.take(downlink, owed);
    return blob.accept(chunk, buf, length) ? end(Kind.ACCEPTED, "", clock) : end(Kind.CORRUPT, "hash mismatch", clock);
  }

  private Ending end(Kind kind, String detail, InstantSource clock) {
    return new Ending(this, kind, detail, clock.instant());
  }

  @Override
  public String toString() {
    return "chunk " + chunk + " from " + source;
  }
}
