package org.autopilot.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/** The baseline: how many 4 KiB append + fdatasync rounds this disk does per second. */
final class FsyncProbe {
  private FsyncProbe() {}

  static double perSecond(Path dir, Duration howLong) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("fsync-probe.bin");
    ByteBuffer block = ByteBuffer.allocate(4096);
    long n = 0;
    long start = System.nanoTime();
    long end = start + howLong.toNanos();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (System.nanoTime() < end && n < 10_000_000) {
        block.clear();
        ch.write(block);
        ch.force(false);
        n++;
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
