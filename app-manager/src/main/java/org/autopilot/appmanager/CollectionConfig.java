package org.autopilot.appmanager;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where and how the agent ships counters and logs ({@code collection:} in {@code agent.yaml}).
 *
 * @param urls collection service replicas (base URLs); tried in order, the last that took a
 *     batch first
 * @param interval how often counters are sampled, log files read and batches sent
 * @param maxBatchSamples most samples in one batch
 * @param maxBatchLogs most log lines in one batch
 * @param bufferSamples most samples held while the service is away; beyond, the oldest are
 *     dropped and counted ({@code agent.collection.dropped_samples})
 * @param bufferLogs most log lines held likewise ({@code agent.collection.dropped_lines})
 * @param timeout bound on one request
 */
public record CollectionConfig(List<URI> urls, Duration interval, int maxBatchSamples, int maxBatchLogs,
    int bufferSamples, int bufferLogs, Duration timeout) {

  /** Checks the bounds. */
  public CollectionConfig {
    if (urls == null || urls.isEmpty()) {
      throw new IllegalArgumentException("collection.urls: at least one collection service URL is needed");
    }
    urls = List.copyOf(urls);
    if (interval == null || interval.compareTo(Duration.ofMillis(50)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("collection.interval must be 50ms..1h");
    }
    if (maxBatchSamples < 1 || maxBatchSamples > 100_000 || maxBatchLogs < 1 || maxBatchLogs > 10_000) {
      throw new IllegalArgumentException("collection.maxBatchSamples must be 1..100000, maxBatchLogs 1..10000");
    }
    if (bufferSamples < maxBatchSamples || bufferSamples > 10_000_000 || bufferLogs < maxBatchLogs
        || bufferLogs > 1_000_000) {
      throw new IllegalArgumentException("collection.bufferSamples must be maxBatchSamples..10000000, "
          + "bufferLogs maxBatchLogs..1000000");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("collection.timeout must be positive");
    }
  }

  /** Every 10 s; batches of up to 5,000 samples and 1,000 lines; 100,000 samples and 10,000 lines held. */
  public static CollectionConfig of(List<URI> urls) {
    return new CollectionConfig(urls, Duration.ofSeconds(10), 5000, 1000, 100_000, 10_000, Duration.ofSeconds(5));
  }

  /** This config sampling and sending every {@code d}. */
  public CollectionConfig withInterval(Duration d) {
    return new CollectionConfig(urls, d, maxBatchSamples, maxBatchLogs, bufferSamples, bufferLogs, timeout);
  }

  /** This config with other batch and buffer bounds. */
  public CollectionConfig withBounds(int batchSamples, int batchLogs, int bufSamples, int bufLogs) {
    return new CollectionConfig(urls, interval, batchSamples, batchLogs, bufSamples, bufLogs, timeout);
  }
}
