package org.autopilot.filesync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blob being assembled chunk by chunk, in any order, in a sparse file
 * ({@code <root>/partial/<hash>.sparse}). A chunk counts as held only after its SHA-256 matched
 * the chunk list and it was written; only held chunks are ever served to peers. The whole-file
 * digest is advanced over the contiguous prefix of held chunks as they arrive, so committing
 * does not read the file again. Nothing but the data is persisted: a resumed blob re-verifies
 * every chunk already in the file (holes and torn writes fail the check and are fetched again).
 * Thread-safe.
 */
final class PartialBlob implements AutoCloseable {
  private final String hash;
  private final ContentStore.Chunks chunks;
  private final Path file;
  private final FileChannel channel;
  private final BlockIo io;
  private final BitSet held;
  private final ReentrantLock digestLock = new ReentrantLock();
  private final MessageDigest whole = ContentStore.sha256();
  /** Chunks [0, digested) are in {@link #whole}; guarded by digestLock. */
  private int digested;
  /** The whole file's hex SHA-256 once computed; guarded by digestLock. */
  private String wholeHex;

  private PartialBlob(String hash, ContentStore.Chunks chunks, Path file, FileChannel channel, BlockIo io) {
    this.hash = hash;
    this.chunks = chunks;
    this.file = file;
    this.channel = channel;
    this.io = io;
    this.held = new BitSet(chunks.chunks().size());
  }

  /** Opens (or resumes) the sparse file, keeping every chunk already in it that verifies. */
  static PartialBlob open(String hash, ContentStore.Chunks chunks, Path file, BlockIo io) throws IOException {
    FileChannel ch = io.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    PartialBlob blob = new PartialBlob(hash, chunks, file, ch, io);
    try {
      if (ch.size() > chunks.size()) {
        ch.truncate(chunks.size());
      }
      byte[] buf = new byte[chunks.chunkSize()];
      for (int i = 0; i < blob.count(); i++) {
        if (blob.offset(i) + blob.length(i) <= ch.size() && blob.read(i, buf)) {
          blob.markHeld(i, buf);
        }
      }
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return blob;
  }

  String hash() {
    return hash;
  }

  ContentStore.Chunks chunks() {
    return chunks;
  }

  Path file() {
    return file;
  }

  int count() {
    return chunks.chunks().size();
  }

  long offset(int chunk) {
    return (long) chunk * chunks.chunkSize();
  }

  int length(int chunk) {
    return (int) Math.min(chunks.chunkSize(), chunks.size() - offset(chunk));
  }

  /** A copy of the set of held (verified) chunks. */
  synchronized BitSet held() {
    return (BitSet) held.clone();
  }

  synchronized boolean holds(int chunk) {
    return held.get(chunk);
  }

  synchronized boolean complete() {
    return held.cardinality() == count();
  }

  /** Whether bytes [from, to] lie entirely in held chunks. */
  synchronized boolean holdsRange(long from, long to) {
    int first = (int) (from / chunks.chunkSize());
    int last = (int) (to / chunks.chunkSize());
    return to < chunks.size() && held.nextClearBit(first) > last;
  }

  /**
   * Accepts chunk {@code chunk} from {@code data[0, length)} if its SHA-256 matches the chunk
   * list; returns false (and writes nothing) if it does not. {@code data} may be overwritten.
   */
  boolean accept(int chunk, byte[] data, int length) throws IOException {
    if (length != length(chunk) || !matches(chunk, data, length)) {
      return false;
    }
    io.write(channel, offset(chunk), data, length, BlockIo.scratch(length));
    markHeld(chunk, data);
    return true;
  }

  /** Cuts the padding after the last chunk (block I/O writes whole blocks). */
  void trim() throws IOException {
    if (channel.size() > chunks.size()) {
      channel.truncate(chunks.size());
    }
  }

  /** The whole file's hex SHA-256; only once every chunk is held. */
  String digest() throws IOException {
    if (!complete()) {
      throw new IllegalStateException(hash + " is not complete");
    }
    digestLock.lock();
    try {
      if (wholeHex == null) {
        advanceDigest(-1, new byte[chunks.chunkSize()]);
        wholeHex = ContentStore.hex(whole.digest());
      }
      return wholeHex;
    } finally {
      digestLock.unlock();
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private boolean matches(int chunk, byte[] data, int length) {
    MessageDigest d = ContentStore.sha256();
    d.update(data, 0, length);
    return ContentStore.hex(d.digest()).equals(chunks.chunks().get(chunk));
  }

  /** Reads chunk {@code chunk} into {@code buf} and checks it against the chunk list. */
  private boolean read(int chunk, byte[] buf) throws IOException {
    return readRaw(chunk, buf) && matches(chunk, buf, length(chunk));
  }

  /** Reads chunk {@code chunk} into {@code buf}; false if the file ends first. */
  private boolean readRaw(int chunk, byte[] buf) throws IOException {
    int length = length(chunk);
    ByteBuffer b = io.read(channel, offset(chunk), length, BlockIo.scratch(length));
    if (b.remaining() < length) {
      return false;
    }
    b.get(buf, 0, length);
    return true;
  }

  private void markHeld(int chunk, byte[] data) throws IOException {
    synchronized (this) {
      held.set(chunk);
    }
    if (digestLock.tryLock()) {
      try {
        advanceDigest(chunk, data);
      } finally {
        digestLock.unlock();
      }
    }
  }

  /**
   * Feeds the held chunks after the digested prefix to the whole-file digest, reading them back
   * from the file except {@code inHand}, whose bytes are in {@code data}. A chunk altered on disk
   * since it was verified shows up as a wrong whole-file hash at commit.
   */
  private void advanceDigest(int inHand, byte[] data) throws IOException {
    while (digested < count() && holds(digested)) {
      if (digested != inHand && !readRaw(digested, data)) {
        throw new IOException("chunk " + digested + " of " + hash + " is missing from " + file);
      }
      whole.update(data, 0, length(digested));
      inHand = -1;
      digested++;
    }
  }
}
