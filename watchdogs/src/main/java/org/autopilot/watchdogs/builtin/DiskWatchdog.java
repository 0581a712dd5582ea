package org.autopilot.watchdogs.builtin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.Watchdog;
import org.autopilot.watchdogs.WatchdogResult;

/**
 * The {@code disk} watchdog: free space on the file system of a path, and a write probe that
 * writes a small file ({@value #PROBE} under the path), forces it to the device, reads it back
 * and deletes it. A probe that fails with an I/O error is Error with text containing
 * {@value #FATAL}, which the DM's default fatal rule sends straight to Replace; a probe failing
 * because the disk is full is Error without those words (a full disk is not broken hardware).
 * A path that is not a directory is Unknown (a configuration mistake, not a disk fault).
 */
public final class DiskWatchdog implements Watchdog {
  /** The name in reports. */
  public static final String NAME = "disk";
  /** The probe file's name under the checked path. */
  public static final String PROBE = ".autopilot-disk-probe";
  /** The words an Error carries when the probe fails (matched by the DM's fatal rule). */
  public static final String FATAL = "unrecoverable I/O error";
  private static final int PROBE_BYTES = 4096;

  private final Path path;
  private final Thresholds free;
  private long probes;

  /** Checks {@code path}; {@code free} are the free-space thresholds in percent. */
  public DiskWatchdog(Path path, Thresholds free) {
    this.path = path;
    this.free = free;
  }

  /** The probe file this watchdog writes. */
  public static Path probe(Path path) {
    return path.resolve(PROBE);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public WatchdogResult check() {
    if (!Files.isDirectory(path)) {
      return result(Health.UNKNOWN, "disk UNKNOWN: " + path + " is not a directory", List.of());
    }
    String probeError = probe();
    long total;
    long usable;
    try {
      FileStore store = Files.getFileStore(path);
      total = store.getTotalSpace();
      usable = store.getUsableSpace();
    } catch (IOException e) {
      if (probeError != null) {
        return result(Health.ERROR, probeError, List.of());
      }
      return result(Health.UNKNOWN, "disk UNKNOWN: cannot read free space of " + path + ": "
          + e.getMessage(), List.of());
    }
    double pct = total <= 0 ? 0 : usable * 100.0 / total;
    List<PerfData> perf = List.of(free.perf("free", pct),
        new PerfData("free_bytes", (double) usable, "B", null, null, 0.0, (double) total));
    if (probeError != null) {
      return result(Health.ERROR, probeError, perf);
    }
    Health h = free.judge(pct);
    String text = h == Health.OK
        ? "disk OK: " + path + " " + free.floor() + " free, write probe ok"
        : "disk " + h.label().toUpperCase() + ": " + path + " " + Thresholds.percent(pct) + " free ("
            + Thresholds.bytes(usable) + " of " + Thresholds.bytes(total) + "), " + free.below(h);
    return result(h, text, perf);
  }

  /** Writes, syncs, reads back and deletes the probe; the Error text, or null when it worked. */
  private String probe() {
    Path file = probe(path);
    byte[] data = new byte[PROBE_BYTES];
    long n = ++probes;
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (n * 31 + i);
    }
    try {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      byte[] back = Files.readAllBytes(file);
      Files.delete(file);
      if (!Arrays.equals(back, data)) {
        return "disk ERROR: " + FATAL + " on " + path + ": the probe read back differs from what was written";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("No space left") || msg.contains("quota exceeded")) {
        return "disk ERROR: " + path + " is full, the write probe failed: " + why;
      }
      return "disk ERROR: " + FATAL + " on " + path + ": " + why;
    }
  }

  private static WatchdogResult result(Health h, String text, List<PerfData> perf) {
    return new WatchdogResult(h, text, "", new ArrayList<>(perf), List.of());
  }
}
