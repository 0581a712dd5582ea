package org.autopilot.devicemanager.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.autopilot.devicemanager.core.FleetLedger;
import org.autopilot.devicemanager.core.LogBatch;
import org.autopilot.devicemanager.model.Fleet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratis' view of the fleet: stamps leader time on entries, applies them through the
 * {@link FleetLedger}, and writes and loads snapshots (JSON, fsynced, with an MD5 side file).
 */
final class FleetStateMachineAdapter extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(FleetStateMachineAdapter.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  /** How a leader's refusal starts, so the submitting replica can tell it from other failures. */
  static final String REFUSED = "writes refused by leader ";

  private final FleetLedger ledger;
  private final InstantSource clock;
  private final String replica;
  private final StorageGuard guard;

  FleetStateMachineAdapter(FleetLedger ledger, InstantSource clock, String replica, StorageGuard guard) {
    this.ledger = ledger;
    this.clock = clock;
    this.replica = replica;
    this.guard = guard;
  }

  /**
   * Ratis could not write the log (a full disk, an I/O error): from now on every write of this
   * member fails, so the replica reports itself failed and leaves the cluster.
   */
  @Override
  public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    guard.fail("the Raft log could not be written" + (failedEntry == null ? ""
        : " at index " + failedEntry.getIndex()) + " under " + guard.dataDir() + ": " + root);
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()));
  }

  /** Ratis pauses the machine before installing a leader's snapshot; apply stops meanwhile. */
  @Override
  public void pause() {
    getLifeCycle().transition(LifeCycle.State.PAUSING);
    getLifeCycle().transition(LifeCycle.State.PAUSED);
  }

  /** After a snapshot from the leader was installed: the fleet becomes that snapshot's. */
  @Override
  public void reinitialize() throws IOException {
    getLifeCycle().transition(LifeCycle.State.STARTING);
    load(storage.loadLatestSnapshot());
    getLifeCycle().transition(LifeCycle.State.RUNNING);
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  /** On the leader only: the one place leader time enters the log. */
  @Override
  public TransactionContext startTransaction(RaftClientRequest request) {
    java.util.Optional<String> refused = guard.writesRefused();
    if (refused.isPresent()) {
      TransactionContext refusal = TransactionContext.newBuilder()
          .setStateMachine(this)
          .setClientRequest(request)
          .build();
      refusal.setException(new IOException(REFUSED + replica + ": " + refused.get()));
      return refusal;
    }
    byte[] proposals = request.getMessage().getContent().toByteArray();
    byte[] entry = LogBatch.stamp(proposals, clock.millis());
    return TransactionContext.newBuilder()
        .setStateMachine(this)
        .setClientRequest(request)
        .setLogData(ByteString.copyFrom(entry))
        .build();
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
    // Only the leader answers clients, so only the leader pays for encoding the answers.
    boolean answer = trx.getServerRole() == RaftPeerRole.LEADER;
    byte[] answers;
    synchronized (this) {
      answers = ledger.applyEntry(data, answer);
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answers)));
  }

  /** Read-only query: the only one is the read barrier, answered with the revision. */
  @Override
  public CompletableFuture<Message> query(Message request) {
    return CompletableFuture.completedFuture(
        Message.valueOf(Long.toString(ledger.current().revision())));
  }

  @Override
  public long takeSnapshot() throws IOException {
    Fleet fleet;
    TermIndex last;
    synchronized (this) {
      fleet = ledger.current();
      last = getLastAppliedTermIndex();
    }
    if (last == null || last.getIndex() < 0) {
      return -1;
    }
    File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    Path tmp = target.toPath().resolveSibling(target.getName() + ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        org.autopilot.devicemanager.core.FleetSnapshot.write(fleet, out);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp); // a full disk: give the space back; the log still holds it all
      throw e;
    }
    Files.move(tmp, target.toPath(), StandardCopyOption.ATOMIC_MOVE);
    MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
    LOG.info("snapshot taken at {} (revision {}, {} machines)", last, fleet.revision(),
        fleet.machines().size());
    return last.getIndex();
  }

  private synchronized void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    Path file = snapshot.getFile().getPath();
    if (snapshot.getFile().getFileDigest() != null) {
      MD5Hash expected = MD5FileUtil.readStoredMd5ForFile(file.toFile());
      MD5Hash actual = MD5FileUtil.computeMd5ForFile(file.toFile());
      if (!expected.equals(actual)) {
        throw new IOException("snapshot " + file + " is corrupt: MD5 " + actual
            + " does not match the stored " + expected + "; refusing to serve from it");
      }
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      ledger.restore(in);
    }
    setLastAppliedTermIndex(snapshot.getTermIndex());
    LOG.info("loaded snapshot {} (revision {})", snapshot.getTermIndex(),
        ledger.current().revision());
  }
}
