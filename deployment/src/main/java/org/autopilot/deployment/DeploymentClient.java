package org.autopilot.deployment;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.autopilot.tls.TrustBundle;

/** Uploads files to the deployment servers: to one replica picked at random, falling back. */
public final class DeploymentClient {
  private final List<URI> replicas;
  private final String token;
  private final Random random;
  private final HttpClient http;

  /** A client of {@code replicas} with the upload {@code token}. */
  public DeploymentClient(List<URI> replicas, String token, Random random) {
    this(replicas, token, random, null);
  }

  /** As above, trusting the CAs of {@code trust} for {@code https://} replicas (null = the JDK's CAs). */
  public DeploymentClient(List<URI> replicas, String token, Random random, TrustBundle trust) {
    this.http = TrustBundle.httpClient(trust).connectTimeout(Duration.ofSeconds(3))
        .version(HttpClient.Version.HTTP_1_1).build();
    this.replicas = List.copyOf(replicas);
    this.token = token;
    this.random = random;
  }

  /** Whether any replica holds {@code sha256} complete. */
  public boolean has(String sha256) {
    for (URI r : replicas) {
      try {
        HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(r.resolve("/blobs/" + sha256 + "/chunks"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        if (resp.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // try the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Uploads {@code file}, which must hash to {@code sha256}; the replica that took it. */
  public URI upload(String sha256, Path file) throws IOException, InterruptedException {
    List<URI> order = new ArrayList<>(replicas);
    Collections.shuffle(order, random);
    List<String> errors = new ArrayList<>();
    for (URI r : order) {
      try {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(r.resolve("/blobs/" + sha256))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofMinutes(10))
            .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200 || resp.statusCode() == 201) {
          return r;
        }
        if (resp.statusCode() == 400 || resp.statusCode() == 401) {
          throw new IOException(r + " refused " + file + ": " + resp.body());
        }
        errors.add(r + ": HTTP " + resp.statusCode());
      } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
        errors.add(r + ": " + e);
      }
    }
    throw new IOException("no deployment server took " + file + ": " + errors);
  }
}
