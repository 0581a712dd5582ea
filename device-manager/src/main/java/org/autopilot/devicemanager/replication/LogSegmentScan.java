package org.autopilot.devicemanager.replication;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedInputStream;
import org.autopilot.devicemanager.core.StorageFaultException;

/**
 * A strict reading of one Ratis log segment file ({@code log_S-E} closed, {@code log_inprogress_S}
 * open), done before Ratis opens the log. Ratis' own loader stops quietly at a short last entry
 * and then cuts the file there, and accepts a closed segment holding fewer entries than its name
 * says when no segment follows it; this reader reports both instead, so that the caller can tell
 * a torn write from lost entries.
 *
 * <p>The format (Ratis 3.3, {@code SegmentedRaftLogFormat}): the 8 bytes {@code RaftLog1}, then
 * per entry a varint length, the {@code LogEntryProto} bytes and a big-endian CRC32C of length and
 * bytes; zero bytes (preallocated space) after the last entry.
 *
 * @param file the segment
 * @param open whether it is the open (in-progress) segment
 * @param firstIndex index of its first entry, or -1 when it holds none
 * @param lastIndex index of its last entry, or -1 when it holds none
 * @param entries entries read whole with a matching checksum
 * @param tornAt byte offset of a last entry cut short by the end of the file (a write torn by a
 *     crash, or a truncated file), -1 when there is none; only an open segment may have one
 */
record LogSegmentScan(Path file, boolean open, long firstIndex, long lastIndex, int entries,
    long tornAt) {
  private static final byte[] HEADER = "RaftLog1".getBytes(StandardCharsets.US_ASCII);
  /** Larger than any entry the Device Manager writes (Ratis' own limit is 32 MiB by default). */
  static final int MAX_ENTRY_BYTES = 64 << 20;

  /** Reads {@code file}; {@code start} and {@code end} come from its name ({@code end} -1 if open). */
  static LogSegmentScan read(Path file, long start, long end) throws StorageFaultException {
    boolean open = end < 0;
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new StorageFaultException(file.toString(), "cannot be read: " + e);
    }
    if (b.length < HEADER.length || !startsWithHeader(b)) {
      if (open && zeroAfterHeaderPrefix(b)) {
        return new LogSegmentScan(file, true, -1, -1, 0, -1); // header torn: an empty segment
      }
      throw new StorageFaultException(file.toString(), "does not start with the Ratis log header "
          + "'RaftLog1' (found " + HexFormat.of().formatHex(b, 0, Math.min(8, b.length)) + ")");
    }
    int pos = HEADER.length;
    long expected = start;
    int count = 0;
    while (pos < b.length) {
      if (b[pos] == 0) {
        for (int i = pos; i < b.length; i++) {
          if (b[i] != 0) {
            throw new StorageFaultException(file.toString(), "byte 0x"
                + HexFormat.of().toHexDigits(b[i]) + " at offset " + i + " after the end of the log"
                + " (offset " + pos + "): garbage where only zero padding may be");
          }
        }
        break;
      }
      int entryStart = pos;
      long length = 0;
      int shift = 0;
      while (true) {
        if (pos >= b.length) {
          return torn(file, open, start, expected, count, entryStart);
        }
        int v = b[pos++];
        length |= (long) (v & 0x7f) << shift;
        if ((v & 0x80) == 0) {
          break;
        }
        shift += 7;
        if (shift > 28) {
          throw new StorageFaultException(file.toString(), "entry at offset " + entryStart
              + " has a malformed length");
        }
      }
      if (length > MAX_ENTRY_BYTES) {
        throw new StorageFaultException(file.toString(), "entry at offset " + entryStart
            + " claims " + length + " bytes, more than any entry (" + MAX_ENTRY_BYTES + ")");
      }
      int body = pos;
      if ((long) body + length + 4 > b.length) {
        return torn(file, open, start, expected, count, entryStart);
      }
      CRC32C crc = new CRC32C();
      crc.update(b, entryStart, body - entryStart + (int) length);
      int end4 = body + (int) length;
      int stored = ((b[end4] & 0xff) << 24) | ((b[end4 + 1] & 0xff) << 16)
          | ((b[end4 + 2] & 0xff) << 8) | (b[end4 + 3] & 0xff);
      if ((int) crc.getValue() != stored) {
        throw new StorageFaultException(file.toString(), String.format("entry at offset %d "
            + "(expected index %d) fails its checksum: computed %08X, stored %08X", entryStart,
            expected, (int) crc.getValue(), stored));
      }
      long index;
      try {
        index = LogEntryProto.parseFrom(CodedInputStream.newInstance(b, body, (int) length)).getIndex();
      } catch (IOException e) {
        throw new StorageFaultException(file.toString(), "entry at offset " + entryStart
            + " has a valid checksum but does not parse: " + e.getMessage());
      }
      if (index != expected) {
        throw new StorageFaultException(file.toString(), "entry at offset " + entryStart
            + " has index " + index + " where index " + expected + " belongs");
      }
      expected++;
      count++;
      pos = end4 + 4;
    }
    if (!open && expected - 1 != end) {
      throw new StorageFaultException(file.toString(), "holds entries " + start + ".."
          + (expected - 1) + " but its name says " + start + ".." + end + ": entries "
          + expected + ".." + end + " are missing (file truncated?)");
    }
    return new LogSegmentScan(file, open, count == 0 ? -1 : start, count == 0 ? -1 : expected - 1,
        count, -1);
  }

  private static LogSegmentScan torn(Path file, boolean open, long start, long expected, int count,
      int at) throws StorageFaultException {
    if (!open) {
      throw new StorageFaultException(file.toString(), "ends inside the entry at offset " + at
          + " (index " + expected + "): a closed segment is cut short (truncated file)");
    }
    return new LogSegmentScan(file, true, count == 0 ? -1 : start, count == 0 ? -1 : expected - 1,
        count, at);
  }

  private static boolean startsWithHeader(byte[] b) {
    for (int i = 0; i < HEADER.length; i++) {
      if (b[i] != HEADER[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeroAfterHeaderPrefix(byte[] b) {
    int i = 0;
    while (i < b.length && i < HEADER.length && b[i] == HEADER[i]) {
      i++;
    }
    for (; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
