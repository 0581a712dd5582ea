package org.autopilot.devicemanager.replication;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.autopilot.devicemanager.command.Proposal;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.DiskReserve;
import org.autopilot.devicemanager.core.FleetLedger;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.core.LogBatch;
import org.autopilot.devicemanager.core.Replica;
import org.autopilot.devicemanager.core.ReplicaStatus;
import org.autopilot.devicemanager.core.WritesRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Device Manager replica backed by an Apache Ratis server and a client into its group. */
public final class RatisReplica implements Replica {
  /** The one Raft group of the Device Manager. */
  static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
      UUID.nameUUIDFromBytes("autopilot-device-manager".getBytes(StandardCharsets.UTF_8)));
  private static final TypeReference<List<CommandResult>> RESULTS = new TypeReference<>() {};
  private static final Logger LOG = LoggerFactory.getLogger(RatisReplica.class);

  private final RaftSettings settings;
  private final FleetLedger ledger;
  private final RaftServer server;
  private final List<RaftClient> clients;
  private final List<RaftClient> allClients;
  private final RaftClient reads;
  private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
  private final RaftPeerId self;
  private final StorageGuard guard;
  private final java.util.concurrent.atomic.AtomicBoolean stopped =
      new java.util.concurrent.atomic.AtomicBoolean();

  private RatisReplica(RaftSettings settings, FleetLedger ledger, RaftServer server,
      List<RaftClient> clients, RaftClient reads, StorageGuard guard) {
    this.settings = settings;
    this.ledger = ledger;
    this.server = server;
    List<RaftClient> all = new ArrayList<>(clients);
    all.add(reads);
    this.clients = clients;
    this.allClients = List.copyOf(all);
    this.reads = reads;
    this.self = RaftPeerId.valueOf(settings.id());
    this.guard = guard;
  }

  /** Starts (or restarts from its data directory) one member of the cluster. */
  public static RatisReplica start(RaftSettings settings, InstantSource clock) throws IOException {
    return start(settings, clock, 1);
  }

  /**
   * As {@link #start(RaftSettings, InstantSource)}, with {@code clients} Raft clients for
   * submitting: Ratis orders the requests of one client, so entries sent in parallel need one
   * client each.
   */
  public static RatisReplica start(RaftSettings settings, InstantSource clock, int clients)
      throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    settings.peers().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
        peers.add(RaftPeer.newBuilder().setId(e.getKey()).setAddress(e.getValue()).build()));
    RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
    Files.createDirectories(settings.dataDir());
    // Before Ratis touches the disk: Ratis would quietly drop a cut-short tail (and then cut the
    // file there) or start from an older snapshot; refuse instead, naming the file.
    StorageCheck check = StorageCheck.verify(settings.dataDir(), groupDir(settings));
    LOG.info("replica {}: storage checked: snapshot to index {}, log to {}, durable mark {}",
        settings.id(), check.snapshotIndex(), check.lastLogIndex(), check.durableMark());
    StorageGuard guard = new StorageGuard(settings.id(), settings.dataDir(),
        new DiskReserve(settings.minFreeBytes()), DurableMark.open(settings.dataDir()));

    FleetLedger ledger = new FleetLedger(settings.eventRetention());
    String address = settings.listen() != null ? settings.listen() : settings.peers().get(settings.id());
    int colon = address.lastIndexOf(':');
    RaftProperties props = serverProperties(settings, address.substring(0, colon),
        Integer.parseInt(address.substring(colon + 1)));
    RaftServer server;
    try {
      server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(settings.id()))
          .setGroup(group)
          .setStateMachine(new FleetStateMachineAdapter(ledger, clock, settings.id(), guard))
          .setProperties(props)
          .setOption(RaftStorage.StartupOption.RECOVER)
          .build();
      server.start();
    } catch (IOException | RuntimeException e) {
      guard.close();
      throw e;
    }

    RaftProperties clientProps = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(clientProps, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(clientProps, 64);
    List<RaftClient> pool = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      pool.add(RaftClient.newBuilder()
          .setProperties(clientProps)
          .setRaftGroup(group)
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
              150, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
          .build());
    }
    // Read barriers get a client of their own, unordered. They used to share the writes' ordered
    // client: with 8 clients reading consistently, a leader crash stalled writes 3.3-8.0 s and
    // reads 3.1-8.2 s, against 1.0-1.8 s for writes without readers (bench dm-failover; see
    // docs/benchmarks.md). Likely why: in an ordered stream a barrier held up by the dead leader
    // holds back those behind it, and pending barriers take permits of the client's bounded
    // outstanding requests that the writes wait for.
    RaftClient reads = RaftClient.newBuilder()
        .setProperties(clientProps)
        .setRaftGroup(group)
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            20, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
        .build();
    RatisReplica replica = new RatisReplica(settings, ledger, server, pool, reads, guard);
    guard.start(replica::durableIndex, replica::stopRaft);
    return replica;
  }

  /** {@code <dataDir>/raft/<group uuid>}: where Ratis keeps this group's log and snapshots. */
  static Path groupDir(RaftSettings settings) {
    return settings.dataDir().resolve("raft").resolve(GROUP_ID.getUuid().toString());
  }

  /** Highest index both applied and fsynced to this replica's own log (-1 if unknown). */
  long durableIndex() {
    try {
      RaftServer.Division d = server.getDivision(GROUP_ID);
      return Math.min(d.getInfo().getLastAppliedIndex(), d.getRaftLog().getFlushIndex());
    } catch (IOException e) {
      return -1;
    }
  }

  /** The durable index last written to the mark file (for tests). */
  long durableIndexMarked() {
    return guard.marked();
  }

  private static RaftProperties serverProperties(RaftSettings s, String host, int port) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(s.dataDir().resolve("raft").toFile()));
    GrpcConfigKeys.Server.setHost(p, host);
    GrpcConfigKeys.Server.setPort(p, port);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(s.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(s.electionTimeoutMax()));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotEvery());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    // No extra commit-index entries in the log: they double the entries written per command
    // and only speed up a restart's replay; correctness does not depend on them.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(s.segmentBytes()));
    // Safe by default and kept so: the log is fsynced before an entry is acknowledged.
    RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
    // Expert tuning: any JVM system property named raft.* is passed to Ratis as is.
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("raft."))
        .forEach(k -> p.set(k, System.getProperty(k)));
    return p;
  }

  private static TimeDuration millis(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String id() {
    return settings.id();
  }

  @Override
  public FleetLedger ledger() {
    return ledger;
  }

  @Override
  public Optional<String> failure() {
    return guard.failure();
  }

  @Override
  public Optional<String> writesRefused() {
    return guard.writesRefused();
  }

  @Override
  public CompletableFuture<List<CommandResult>> submit(List<Proposal> batch) {
    Optional<String> refused = guard.writesRefused();
    if (refused.isPresent()) {
      return CompletableFuture.failedFuture(new WritesRefusedException(refused.get()));
    }
    Message m = Message.valueOf(ByteString.copyFrom(LogBatch.encodeProposals(batch)));
    RaftClient client = clients.get(Math.floorMod(next.getAndIncrement(), clients.size()));
    return client.async().send(m).thenApply(RatisReplica::results);
  }

  @Override
  public CompletableFuture<Long> readBarrier() {
    if (guard.failure().isPresent()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "replica " + settings.id() + " has failed: " + guard.failure().get()));
    }
    CompletableFuture<Long> barrier = reads.async()
        .sendReadOnlyUnordered(Message.valueOf("barrier"), self).thenApply(reply -> {
          if (!reply.isSuccess()) {
            throw new IllegalStateException("read barrier failed: " + reply.getException());
          }
          return Long.parseLong(reply.getMessage().getContent().toStringUtf8());
        });
    // A read index asked of a leader that is going away may wait for seconds; better to say so
    // soon, so that the caller asks again (here or at another replica) once a leader is elected.
    return barrier.orTimeout(READ_BARRIER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).handle((rev, e) -> {
      if (e == null) {
        return rev;
      }
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
          ? e.getCause() : e;
      if (cause instanceof java.util.concurrent.TimeoutException) {
        throw new IllegalStateException("read index not confirmed within "
            + READ_BARRIER_TIMEOUT.toMillis() + " ms (leader change?)");
      }
      throw e instanceof java.util.concurrent.CompletionException c ? c
          : new java.util.concurrent.CompletionException(e);
    });
  }

  /** How long a read barrier may wait for the leader to confirm the read index. */
  static final Duration READ_BARRIER_TIMEOUT = Duration.ofMillis(1500);

  private static List<CommandResult> results(RaftClientReply reply) {
    if (reply.getException() instanceof StateMachineException e && e.getMessage() != null
        && e.getMessage().contains(FleetStateMachineAdapter.REFUSED)) {
      String m = e.getMessage();
      throw new WritesRefusedException(m.substring(m.indexOf(FleetStateMachineAdapter.REFUSED)));
    }
    if (!reply.isSuccess()) {
      throw new IllegalStateException("replication failed: " + reply.getException());
    }
    try {
      return Json.mapper().readValue(reply.getMessage().getContent().toByteArray(), RESULTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ReplicaStatus status() {
    List<String> peers = settings.peers().keySet().stream().sorted().toList();
    String failure = guard.failure().orElse(null);
    String refused = guard.diskRefusal().orElse(null);
    if (failure != null) {
      return new ReplicaStatus(settings.id(), "FAILED", null, -1, -1, -1,
          ledger.current().revision(), peers, failure, refused);
    }
    try {
      RaftServer.Division division = server.getDivision(GROUP_ID);
      DivisionInfo info = division.getInfo();
      RaftPeerId leader = info.getLeaderId();
      String role = info.isLeader() ? (info.isLeaderReady() ? "LEADER" : "CANDIDATE")
          : info.getCurrentRole().name();
      return new ReplicaStatus(settings.id(), role, leader == null ? null : leader.toString(),
          info.getCurrentTerm(), info.getLastAppliedIndex(), division.getRaftLog().getStartIndex(),
          ledger.current().revision(), peers, null, refused);
    } catch (IOException e) {
      return new ReplicaStatus(settings.id(), "UNKNOWN", null, -1, -1, -1,
          ledger.current().revision(), peers, null, refused);
    }
  }

  /** After a failure: leave the cluster at once, so that the others elect a leader without us. */
  private void stopRaft() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    for (RaftClient client : allClients) {
      try {
        client.close();
      } catch (IOException | RuntimeException ignored) {
        // closing anyway
      }
    }
    try {
      server.close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("replica {}: stopping the Raft server after the failure: {}", settings.id(), e.toString());
    }
  }

  @Override
  public void close() {
    guard.close(this::durableIndex);
    if (!stopped.compareAndSet(false, true)) {
      ledger.close();
      return;
    }
    for (RaftClient client : allClients) {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ledger.close();
    }
  }
}
