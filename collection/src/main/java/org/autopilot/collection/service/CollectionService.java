package org.autopilot.collection.service;

import org.autopilot.devicemanager.api.MachineTokens;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.autopilot.collection.store.CollectionStore;
import org.autopilot.collection.store.IngestWriter;
import org.autopilot.collection.store.Rollups;
import org.autopilot.collection.wire.BatchParser;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.tls.ServerIdentity;
import org.autopilot.tls.TlsConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the collection service, a satellite. Every replica takes batches from
 * machines and answers queries; none leads. Replicas may share one database (PostgreSQL, or
 * one H2 file: in one process, or across processes with {@code AUTO_SERVER=TRUE}); each runs
 * the rollup and retention pass every {@code rollupInterval}, and the database's row locks make
 * them take turns. See {@code docs/collection.md}.
 */
public final class CollectionService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CollectionService.class);

  private final CollectionServiceConfig config;
  private final CollectionStore store;
  private final IngestWriter writer;
  private final Rollups rollups;
  private final CollectionApi api;
  private final ScheduledExecutorService timer;
  private final String url;
  private volatile Rollups.Pass lastPass;
  private volatile String lastPassError = "";
  private volatile Map<String, Long> rows = Map.of();
  private volatile long rowsAt;
  private volatile boolean rowsRead;
  /** Batches accepted (committed). */
  final AtomicLong accepted = new AtomicLong();
  /** Batches refused for what they are or who sent them (4xx). */
  final AtomicLong refused = new AtomicLong();
  /** Batches turned away for now (503: queue full or database failed). */
  final AtomicLong busy = new AtomicLong();

  private CollectionService(CollectionServiceConfig config, InstantSource clock) {
    this.config = config;
    ServerIdentity identity;
    try {
      // certificate files are checked before the database opens
      identity = config.tls() == null ? null
          : ServerIdentity.load(config.tls(), "tls", InstantSource.system());
    } catch (TlsConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    this.store = new CollectionStore(config.database());
    try {
      this.writer = new IngestWriter(store, clock, config.retention().lateness(), config.writer());
      this.rollups = new Rollups(store, clock, config.retention());
      this.api = new CollectionApi(this, store, writer, new BatchParser(config.limits()),
          new TokenAuthenticator(config.tokens(), config.machineSecret()),
          new MachineTokens(config.machineSecret()), clock).start(config.host(), config.port(), identity);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    this.url = (identity == null ? "http" : "https") + "://" + config.host() + ":" + api.port();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "collection-rollups-" + config.id());
      t.setDaemon(true);
      return t;
    });
    long every = config.rollupInterval().toMillis();
    timer.scheduleWithFixedDelay(this::rollupQuietly, every, every, TimeUnit.MILLISECONDS);
    LOG.info("collection replica {} on {} storing into {}", config.id(), url, config.database().safeUrl());
  }

  /** Starts a replica: opens the database (creating the schema), serves at once. */
  public static CollectionService start(CollectionServiceConfig config, InstantSource clock) {
    return new CollectionService(config, clock);
  }

  /** This replica's base URL. */
  public String url() {
    return url;
  }

  /** The port it serves on. */
  public int port() {
    return api.port();
  }

  /** The database (for tests and tools in-process). */
  public CollectionStore store() {
    return store;
  }

  /** Runs the rollup and retention pass now (also done every {@code rollupInterval}). */
  public Rollups.Pass rollup() {
    Rollups.Pass p = rollups.run();
    lastPass = p;
    lastPassError = "";
    return p;
  }

  private void rollupQuietly() {
    try {
      rollup();
    } catch (RuntimeException e) {
      // another replica holding the progress row, or the database away: the next pass retries
      lastPassError = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.info("{}: rollup pass not done: {}", config.id(), lastPassError);
    }
  }

  /** Identity, database, rows per table (refreshed at most every 5 s) and counters. */
  public Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", config.id());
    out.put("url", url);
    out.put("database", config.database().safeUrl());
    long now = System.nanoTime();
    if (!rowsRead || now - rowsAt > TimeUnit.SECONDS.toNanos(5)) {
      try {
        rows = store.rowCounts();
        rowsAt = now;
        rowsRead = true;
      } catch (RuntimeException e) {
        out.put("databaseError", e.getMessage());
      }
    }
    out.put("rows", rows);
    out.put("ingest", ingest());
    try {
      out.put("rollups", store.rollupProgress());
    } catch (RuntimeException e) {
      out.put("rollups", Map.of());
    }
    out.put("lastRollupPass", lastPass);
    out.put("lastRollupError", lastPassError);
    return out;
  }

  /** The ingest counters alone (cheap: no database access). */
  public Map<String, Object> ingest() {
    Map<String, Object> ingest = new LinkedHashMap<>();
    ingest.put("batchesAccepted", accepted.get());
    ingest.put("batchesRefused", refused.get());
    ingest.put("batchesBusy", busy.get());
    ingest.put("samplesStored", writer.samples.get());
    ingest.put("linesStored", writer.lines.get());
    ingest.put("commits", writer.commits.get());
    ingest.put("failedCommits", writer.failures.get());
    ingest.put("queued", writer.queued());
    return ingest;
  }

  /** Stops serving, writes what is queued, closes the database. */
  @Override
  public void close() {
    api.close();
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    store.close();
  }
}
