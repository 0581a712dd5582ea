package org.autopilot.devicemanager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.autopilot.devicemanager.core.StorageFaultException;

/**
 * Coverage-guided fuzzing of the strict log segment reader that runs before Ratis opens a
 * replica's log ({@link LogSegmentScan}): the bytes of a damaged disk are untrusted input. Seeds
 * in {@code src/test/resources/org/autopilot/devicemanager/replication/LogSegmentScanFuzzTestInputs/}.
 *
 * <p>Properties: for any file, read as an open or a closed segment, only
 * {@link StorageFaultException} escapes, naming the file, and an accepted scan is consistent (its
 * entry count matches its index range; a closed one holds exactly what its name says and is never
 * torn). A valid closed segment is accepted whole, and the same segment with any one byte changed
 * (header, length, entry, checksum or padding) is always refused.
 */
class LogSegmentScanFuzzTest {
  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("log_fuzz", ".segment");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest
  void anyBytes(byte[] bytes) throws IOException {
    Files.write(FILE, bytes);
    for (long end : new long[] {-1, 3}) {
      LogSegmentScan scan;
      try {
        scan = LogSegmentScan.read(FILE, 1, end);
      } catch (StorageFaultException e) {
        assertThat(e.getMessage()).contains(FILE.toString());
        continue;
      }
      assertThat(scan.entries()).isGreaterThanOrEqualTo(0);
      if (scan.entries() == 0) {
        assertThat(scan.firstIndex()).isEqualTo(-1);
      } else {
        assertThat(scan.lastIndex() - scan.firstIndex() + 1).isEqualTo(scan.entries());
      }
      if (end >= 0) {
        assertThat(scan.tornAt()).as("a closed segment is never torn").isEqualTo(-1);
        assertThat(scan.lastIndex()).as("a closed segment holds what its name says").isEqualTo(end);
      }
    }
  }

  @FuzzTest
  void oneChangedByte(FuzzedDataProvider data) throws IOException {
    int entries = data.consumeInt(1, 8);
    long start = data.consumeLong(1, 1_000_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("RaftLog1".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < entries; i++) {
      byte[] payload = data.consumeBytes(data.consumeInt(0, 300));
      writeEntry(out, LogEntryProto.newBuilder().setTerm(data.consumeLong(1, 50)).setIndex(start + i)
          .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
              .setLogData(ByteString.copyFrom(payload))).build().toByteArray());
    }
    out.writeBytes(new byte[data.consumeInt(0, 64)]); // preallocated zero padding
    byte[] good = out.toByteArray();
    long end = start + entries - 1;

    Files.write(FILE, good);
    LogSegmentScan scan = LogSegmentScan.read(FILE, start, end);
    assertThat(scan.entries()).isEqualTo(entries);
    assertThat(scan.lastIndex()).isEqualTo(end);

    byte[] bad = good.clone();
    int at = data.consumeInt(0, bad.length - 1);
    byte flip = (byte) data.consumeInt(1, 255);
    bad[at] ^= flip;
    Files.write(FILE, bad);
    assertThatThrownBy(() -> LogSegmentScan.read(FILE, start, end))
        .as("byte %d of %d changed by 0x%02x", at, bad.length, flip & 0xff)
        .isInstanceOf(StorageFaultException.class).hasMessageContaining(FILE.toString());
  }

  /** Ratis' framing: varint length, the entry, CRC32C of both, big-endian. */
  static void writeEntry(ByteArrayOutputStream out, byte[] entry) {
    ByteArrayOutputStream framed = new ByteArrayOutputStream();
    int n = entry.length;
    while ((n & ~0x7f) != 0) {
      framed.write((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    framed.write(n);
    framed.writeBytes(entry);
    byte[] f = framed.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(f);
    int c = (int) crc.getValue();
    out.writeBytes(f);
    out.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
  }
}
