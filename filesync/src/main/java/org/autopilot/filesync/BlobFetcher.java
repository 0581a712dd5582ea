package org.autopilot.filesync;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.autopilot.tls.TrustBundle;

/**
 * Downloads a blob into a {@link ContentStore} from the first of several sources that serves it
 * correctly. A partial download is kept and resumed with a range request; every chunk is checked
 * against the chunk list as it arrives, a bad chunk is cut off and the next source asked; the
 * whole file's SHA-256 is checked before it is committed. The download rate can be capped.
 */
public final class BlobFetcher {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ContentStore store;
  private final HttpClient http;
  private final Bucket downlink;

  /**
   * What a fetch did.
   *
   * @param hash the blob
   * @param size its size
   * @param bytesBySource bytes accepted from each source, by base URI
   * @param rejected sources that failed, with why
   */
  public record Result(String hash, long size, Map<String, Long> bytesBySource, List<String> rejected) {}

  /** A fetcher into {@code store}; {@code capBytesPerSecond} 0 means uncapped. */
  public BlobFetcher(ContentStore store, long capBytesPerSecond) {
    this(store, capBytesPerSecond, null);
  }

  /**
   * A fetcher into {@code store} trusting the CAs of {@code trust} for {@code https://} sources
   * (null = the JDK's CAs); {@code capBytesPerSecond} 0 means uncapped.
   */
  public BlobFetcher(ContentStore store, long capBytesPerSecond, TrustBundle trust) {
    this.http = TrustBundle.httpClient(trust)
        .connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();
    this.store = store;
    this.downlink = Bandwidth.cap(capBytesPerSecond);
  }

  /** Fetches {@code hash} from {@code sources} (base URIs like {@code http://h:p}), in order. */
  public Result fetch(String hash, List<URI> sources) throws IOException, InterruptedException {
    ContentStore.checkHash(hash);
    Map<String, Long> bytes = new LinkedHashMap<>();
    List<String> rejected = new ArrayList<>();
    if (store.has(hash)) {
      return new Result(hash, Files.size(store.path(hash)), bytes, rejected);
    }
    ContentStore.Chunks chunks = null;
    for (URI source : sources) {
      try {
        if (chunks == null) {
          chunks = chunkList(source, hash);
        }
        long got = download(source, hash, chunks);
        bytes.merge(source.toString(), got, Long::sum);
        if (Files.size(store.partial(hash)) == chunks.size()) {
          store.commitPartial(hash, chunks);
          return new Result(hash, chunks.size(), bytes, rejected);
        }
        rejected.add(source + ": stopped early");
      } catch (IOException e) {
        rejected.add(source + ": " + e.getMessage());
      }
    }
    throw new IOException("could not fetch " + hash + " from any of " + sources + ": " + rejected);
  }

  private ContentStore.Chunks chunkList(URI source, String hash) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(source.resolve("/blobs/" + hash + "/chunks"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IOException("chunk list: HTTP " + r.statusCode());
    }
    ContentStore.Chunks c = JSON.readValue(r.body(), ContentStore.Chunks.class);
    long expected = c.size() == 0 ? 0 : (c.size() + c.chunkSize() - 1) / c.chunkSize();
    if (c.chunkSize() <= 0 || c.chunks().size() != expected) {
      throw new IOException("chunk list is inconsistent with size " + c.size());
    }
    return c;
  }

  /** Appends verified chunks to the partial file from {@code source}; returns bytes accepted. */
  private long download(URI source, String hash, ContentStore.Chunks chunks)
      throws IOException, InterruptedException {
    Path part = store.partial(hash);
    long have = Files.exists(part) ? Files.size(part) : 0;
    long verified = have - have % chunks.chunkSize();
    if (verified != have) {
      try (var ch = java.nio.channels.FileChannel.open(part, StandardOpenOption.WRITE)) {
        ch.truncate(verified);
      }
    }
    if (verified == chunks.size()) {
      return 0;
    }
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(source.resolve("/blobs/" + hash))
        .header("Range", "bytes=" + verified + "-").timeout(Duration.ofMinutes(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 206 && !(r.statusCode() == 200 && verified == 0)) {
      r.body().close();
      throw new IOException("HTTP " + r.statusCode());
    }
    long accepted = 0;
    int index = (int) (verified / chunks.chunkSize());
    byte[] chunk = new byte[chunks.chunkSize()];
    try (InputStream in = r.body();
         OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      while (index < chunks.chunks().size()) {
        int want = (int) Math.min(chunks.chunkSize(), chunks.size() - (long) index * chunks.chunkSize());
        int n = readFully(in, chunk, want);
        if (n < want) {
          throw new IOException("connection ended after " + (verified + accepted) + " bytes (kept)");
        }
        MessageDigest d = ContentStore.sha256();
        d.update(chunk, 0, n);
        if (!ContentStore.hex(d.digest()).equals(chunks.chunks().get(index))) {
          throw new IOException("chunk " + index + " is corrupt (discarded)");
        }
        out.write(chunk, 0, n);
        out.flush();
        accepted += n;
        index++;
      }
    }
    return accepted;
  }

  private int readFully(InputStream in, byte[] buf, int want) throws IOException, InterruptedException {
    int got = 0;
    while (got < want) {
      int n = in.read(buf, got, Math.min(32_768, want - got));
      if (n < 0) {
        break;
      }
      if (downlink != null) {
        downlink.asBlocking().consume(n);
      }
      got += n;
    }
    return got;
  }
}
