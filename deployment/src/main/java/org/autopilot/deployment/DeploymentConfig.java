package org.autopilot.deployment;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One deployment server replica's settings. See {@code docs/deployment.md}.
 *
 * @param id replica name (logs)
 * @param dataDir its content store
 * @param port HTTP port on 127.0.0.1, 0 = any free one
 * @param peers the other replicas' base URLs
 * @param uplinkBytesPerSecond uplink cap for all transfers together, 0 = none
 * @param maxTransfers concurrent transfers served; more get 503 with Retry-After
 * @param maxBlobBytes largest upload accepted
 * @param uploadTokenSha256 hex SHA-256 of the bearer token uploads need; null = no uploads
 * @param syncInterval how often to copy what peers hold and this replica lacks
 */
public record DeploymentConfig(String id, Path dataDir, int port, List<URI> peers,
    long uplinkBytesPerSecond, int maxTransfers, long maxBlobBytes, String uploadTokenSha256,
    Duration syncInterval) {

  /** Validates and copies. */
  public DeploymentConfig {
    peers = peers == null ? List.of() : List.copyOf(peers);
    if (id == null || dataDir == null || maxTransfers < 1 || maxBlobBytes < 1
        || syncInterval == null || syncInterval.isNegative() || syncInterval.isZero()) {
      throw new IllegalArgumentException(
          "id, dataDir, maxTransfers >= 1, maxBlobBytes >= 1 and a positive syncInterval are required");
    }
    if (uploadTokenSha256 != null && !uploadTokenSha256.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("uploadTokenSha256 must be 64 hex digits");
    }
  }

  /** Defaults: uncapped, 16 transfers, 16 GiB blobs, sync every 30 s. */
  public static DeploymentConfig of(String id, Path dataDir, int port, List<URI> peers,
      String uploadTokenSha256) {
    return new DeploymentConfig(id, dataDir, port, peers, 0, 16, 16L << 30, uploadTokenSha256,
        Duration.ofSeconds(30));
  }
}
