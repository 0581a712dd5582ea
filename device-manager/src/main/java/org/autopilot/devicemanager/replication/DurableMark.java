package org.autopilot.devicemanager.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import org.autopilot.devicemanager.core.StorageFaultException;

/**
 * The file {@code <dataDir>/durable-index}: the highest log index this replica knows it had both
 * applied and fsynced to its own log. At start the log plus the snapshot must reach it; if they
 * do not, entries this replica had made durable are gone (a truncated or cut log) and it refuses
 * to start instead of serving, or voting with, a shorter history.
 *
 * <p>Two 64-byte slots, written alternately in place and fsynced, each with a CRC32: a write torn
 * by a crash spoils at most the slot being written, and the other still holds the previous mark.
 * The mark only ever lags (it is written every 100 ms), so it never claims more than the log holds.
 */
final class DurableMark implements AutoCloseable {
  /** The file's name under the data directory. */
  static final String FILE = "durable-index";
  private static final int SLOT = 64;
  private static final String PREFIX = "dm-durable-index v1 ";

  private final Path file;
  private FileChannel channel;
  private long written;
  private int nextSlot;

  private DurableMark(Path file, long written) {
    this.file = file;
    this.written = written;
  }

  /** Opens the mark under {@code dataDir}, reading what it holds (-1 when there is no file). */
  static DurableMark open(Path dataDir) throws StorageFaultException {
    Path file = dataDir.resolve(FILE);
    return new DurableMark(file, read(file));
  }

  /** The mark under {@code dataDir}: -1 when there is none; a fault naming it when unreadable. */
  static long read(Path file) throws StorageFaultException {
    if (!Files.exists(file)) {
      return -1;
    }
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new StorageFaultException(file.toString(), "cannot be read: " + e);
    }
    long best = Long.MIN_VALUE;
    for (int off = 0; off + SLOT <= b.length; off += SLOT) {
      Long v = parse(new String(b, off, SLOT, StandardCharsets.US_ASCII));
      if (v != null && v > best) {
        best = v;
      }
    }
    if (best == Long.MIN_VALUE) {
      if (b.length == 0) {
        return -1; // created, never written: a crash right after creating it
      }
      throw new StorageFaultException(file.toString(), "neither slot holds a valid durable index"
          + " (corrupt); the replica cannot tell whether its log lost entries");
    }
    return best;
  }

  private static Long parse(String slot) {
    String[] parts = slot.trim().split(" ");
    if (!slot.startsWith(PREFIX) || parts.length != 4) {
      return null;
    }
    try {
      long index = Long.parseLong(parts[2]);
      return crc(index).equals(parts[3]) ? index : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String crc(long index) {
    CRC32 c = new CRC32();
    c.update((PREFIX + index).getBytes(StandardCharsets.US_ASCII));
    return String.format("%08x", c.getValue());
  }

  /** The highest index recorded so far. */
  synchronized long written() {
    return written;
  }

  /** Records {@code index} (fsynced) if it is higher than what is recorded. */
  synchronized void advance(long index) throws IOException {
    if (index <= written) {
      return;
    }
    if (channel == null) {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    }
    String text = PREFIX + index + " " + crc(index);
    byte[] slot = new byte[SLOT];
    java.util.Arrays.fill(slot, (byte) ' ');
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, slot, 0, t.length);
    slot[SLOT - 1] = '\n';
    channel.write(ByteBuffer.wrap(slot), (long) nextSlot * SLOT);
    channel.force(false);
    nextSlot = 1 - nextSlot;
    written = index;
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      channel = null;
    }
  }
}
