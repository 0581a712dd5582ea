package org.autopilot.filesync;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Positional file I/O that bypasses the page cache (O_DIRECT) where the file system allows it,
 * through block-aligned direct buffers, and plain buffered I/O elsewhere. Blobs are written once
 * and read a few times by peers: caching them only evicts the host's working set, and on a
 * virtual machine filling fresh page-cache pages costs far more than the transfer itself
 * (docs/filesync.md). Writes are padded to whole blocks, so a file may end in padding until it
 * is {@link FileChannel#truncate trimmed}; reads may ask past the end and get less.
 */
final class BlockIo {
  /** Largest block size handled; scratch buffers are aligned to it, so they fit any store. */
  private static final int MAX_BLOCK = 1 << 16;
  private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();
  private final boolean direct;
  private final int block;

  private BlockIo(boolean direct, int block) {
    this.direct = direct;
    this.block = block;
  }

  /** Probes {@code dir}'s file system: O_DIRECT if a file there can be opened with it. */
  static BlockIo probe(Path dir) {
    Path probe = dir.resolve(".direct-io-probe");
    try {
      int block = (int) Math.max(512, Math.min(MAX_BLOCK, Files.getFileStore(dir).getBlockSize()));
      try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          ExtendedOpenOption.DIRECT)) {
        ByteBuffer b = ByteBuffer.allocateDirect(2 * block).alignedSlice(block);
        b.limit(block);
        ch.write(b, 0);
      }
      return new BlockIo(true, block);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return new BlockIo(false, 4096);
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        // a leftover probe file is harmless
      }
    }
  }

  /** Whether the page cache is bypassed. */
  boolean direct() {
    return direct;
  }

  /** Opens {@code file} with {@code options}, plus O_DIRECT when in use. */
  FileChannel open(Path file, OpenOption... options) throws IOException {
    if (!direct) {
      return FileChannel.open(file, options);
    }
    OpenOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
    all[options.length] = ExtendedOpenOption.DIRECT;
    return FileChannel.open(file, all);
  }

  /**
   * This thread's scratch buffer for block I/O, at least {@code capacity} bytes rounded up to
   * {@link #MAX_BLOCK} (aligned, direct). One per thread: callers must not hold it across calls
   * that may use it too.
   */
  static ByteBuffer scratch(int capacity) {
    ByteBuffer b = SCRATCH.get();
    if (b == null || b.capacity() < capacity) {
      int size = (capacity + MAX_BLOCK - 1) / MAX_BLOCK * MAX_BLOCK;
      b = ByteBuffer.allocateDirect(size + MAX_BLOCK).alignedSlice(MAX_BLOCK);
      SCRATCH.set(b);
    }
    return b.clear();
  }

  /** Writes {@code data[0, length)} at {@code position} (block-aligned) through {@code buf}. */
  void write(FileChannel ch, long position, byte[] data, int length, ByteBuffer buf) throws IOException {
    buf.clear();
    buf.put(data, 0, length);
    int padded = direct ? roundUp(length) : length;
    while (buf.position() < padded) {
      buf.put((byte) 0);
    }
    buf.flip();
    long at = position;
    while (buf.hasRemaining()) {
      at += ch.write(buf, at);
    }
  }

  /**
   * Reads up to {@code length} bytes at {@code position} (block-aligned) into {@code buf}, which
   * is left flipped holding what was read (less at the end of the file).
   */
  ByteBuffer read(FileChannel ch, long position, int length, ByteBuffer buf) throws IOException {
    buf.clear().limit(direct ? roundUp(length) : length);
    long at = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, at);
      if (n <= 0 || (direct && n % block != 0)) {
        break;
      }
      at += n;
    }
    buf.flip();
    if (buf.limit() > length) {
      buf.limit(length);
    }
    return buf;
  }

  /** {@code position} rounded down to a block boundary. */
  long alignDown(long position) {
    return position - position % block;
  }

  private int roundUp(int n) {
    return (n + block - 1) / block * block;
  }
}
