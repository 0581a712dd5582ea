package org.autopilot.devicemanager.server;

import java.io.IOException;
import java.net.URI;
import java.time.InstantSource;
import java.util.Map;
import java.util.TreeMap;
import org.autopilot.devicemanager.api.DmApi;
import org.autopilot.devicemanager.api.DmMetrics;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.core.CommandBatcher;
import org.autopilot.devicemanager.core.HealthTicker;
import org.autopilot.devicemanager.core.Replica;
import org.autopilot.devicemanager.core.StorageFaultException;
import org.autopilot.devicemanager.replication.RatisReplica;
import org.autopilot.tls.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Device Manager replica: Raft member, group commit and HTTP API. */
public final class DmServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DmServer.class);
  private final DmConfig config;
  private final Replica replica;
  private final DmApi api;
  private final HealthTicker ticker;

  private DmServer(DmConfig config, Replica replica, DmApi api, HealthTicker ticker) {
    this.config = config;
    this.replica = replica;
    this.api = api;
    this.ticker = ticker;
  }

  /** Starts a replica as configured; its data directory is reused if it exists. */
  public static DmServer start(DmConfig config, InstantSource clock) throws IOException {
    config.validate();
    // Certificate files are checked before Raft starts: a bad file stops the replica at once.
    ServerIdentity identity = config.tls() == null ? null
        : ServerIdentity.load(config.tls(), "tls", InstantSource.system());
    Replica replica;
    try {
      replica = RatisReplica.start(config.settings(), clock, config.batchMaxInFlight());
    } catch (StorageFaultException e) {
      LOG.error("replica {} refuses to start: {}", config.id(), e.getMessage());
      throw e;
    }
    DmMetrics metrics = new DmMetrics(replica);
    CommandBatcher batcher = new CommandBatcher(batch -> {
      metrics.batch(batch.size());
      return replica.submit(batch);
    }, config.batchMaxCommands(), config.batchMaxInFlight());
    Map<String, String> apis = new TreeMap<>();
    config.peers().forEach((id, p) -> apis.put(id, p.api()));
    URI uri = config.apiUri();
    DmApi api;
    try {
      api = new DmApi(replica, batcher, new TokenAuthenticator(config.tokens(), config.machineSecret()), apis, metrics)
          .tls(identity).start(uri.getHost(), uri.getPort());
    } catch (RuntimeException e) {
      replica.close();
      throw new IOException("cannot serve the API on " + uri + ": " + e.getMessage(), e);
    }
    LOG.info("replica {} serving {}{} (raft {}, data {})", config.id(), uri,
        identity == null ? "" : " with TLS certificate " + identity.source(),
        config.peers().get(config.id()).raft(), config.dataDir());
    HealthTicker ticker = new HealthTicker(replica, batcher::submit, clock, config.healthTick());
    return new DmServer(config, replica, api, ticker);
  }

  /** This replica's configuration. */
  public DmConfig config() {
    return config;
  }

  /** The replica underneath. */
  public Replica replica() {
    return replica;
  }

  /** Base URL of this replica's API, e.g. {@code http://127.0.0.1:7101/api/v1}. */
  public String apiUrl() {
    return config.peers().get(config.id()).api() + "/api/v1";
  }

  @Override
  public void close() {
    long t0 = System.nanoTime();
    ticker.close();
    api.close();
    long t1 = System.nanoTime();
    replica.close();
    long t2 = System.nanoTime();
    LOG.info("replica {} stopped in {} ms (API {} ms, Raft member {} ms)", config.id(),
        (t2 - t0) / 1_000_000, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
  }
}
