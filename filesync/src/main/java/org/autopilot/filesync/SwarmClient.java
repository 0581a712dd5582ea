package org.autopilot.filesync;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The small HTTP calls of a swarm member: announce to and view a {@link Tracker}, read a chunk list. */
final class SwarmClient {
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  /** Largest chunk a fetcher buffers in memory. */
  static final int MAX_CHUNK = 64 << 20;
  private final HttpClient http;

  SwarmClient(HttpClient http) {
    this.http = http;
  }

  /** Announces {@code a} for {@code hash}; completes with the swarm as the announcer sees it. */
  CompletableFuture<Tracker.View> announce(URI tracker, String hash, Tracker.Announce a) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(a);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest request = HttpRequest.newBuilder(tracker.resolve("/tracker/" + hash)).timeout(TIMEOUT)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    return viewOf(request, "announce");
  }

  /** Completes with the swarm of {@code hash} as an outsider sees it. */
  CompletableFuture<Tracker.View> view(URI tracker, String hash) {
    return viewOf(HttpRequest.newBuilder(tracker.resolve("/tracker/" + hash)).timeout(TIMEOUT).build(), "tracker view");
  }

  private CompletableFuture<Tracker.View> viewOf(HttpRequest request, String what) {
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> {
          try {
            return parse(r, Tracker.View.class, what);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        });
  }

  /** The chunk list of {@code hash} as {@code source} has it, checked for consistency. */
  ContentStore.Chunks chunks(URI source, String hash) throws IOException, InterruptedException {
    ContentStore.Chunks c = parse(get(source.resolve("/blobs/" + hash + "/chunks")), ContentStore.Chunks.class, "chunk list");
    long expected = c.chunkSize() <= 0 ? -1 : c.size() == 0 ? 0 : (c.size() + c.chunkSize() - 1) / c.chunkSize();
    if (c.chunkSize() <= 0 || c.chunkSize() > MAX_CHUNK || c.chunks() == null || c.chunks().size() != expected) {
      throw new IOException("chunk list from " + source + " is inconsistent with size " + c.size());
    }
    if (!c.chunks().stream().allMatch(h -> h != null && h.matches("[0-9a-f]{64}"))) {
      throw new IOException("chunk list from " + source + " holds something that is not a SHA-256");
    }
    return c;
  }

  private HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static <T> T parse(HttpResponse<byte[]> r, Class<T> type, String what) throws IOException {
    if (r.statusCode() != 200) {
      throw new IOException(what + ": HTTP " + r.statusCode() + " from " + r.uri());
    }
    try {
      return JSON.readValue(r.body(), type);
    } catch (IOException e) {
      throw new IOException(what + " from " + r.uri() + " is not readable: " + e.getMessage(), e);
    }
  }
}
