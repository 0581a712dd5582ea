package org.autopilot.appmanager;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ObjDoubleConsumer;

/**
 * A real Linux machine's counters from {@code /proc} (a root other than {@code /proc} serves
 * tests): CPU busy and iowait percent from {@code stat}, the 1-minute load from {@code loadavg},
 * memory used percent and available bytes from {@code meminfo}, disk read/write bytes per second
 * from {@code diskstats} (whole disks), network receive/transmit bytes per second from
 * {@code net/dev} (every interface but {@code lo}), and the used percent of the file system
 * holding {@code disk}. Rates need two readings; the first call reports levels only.
 */
public final class ProcCounters implements OsCounters {
  private final Path proc;
  private final Path disk;
  private long[] lastCpu;
  private long lastAt = -1;
  private long lastDiskRead = -1;
  private long lastDiskWrite = -1;
  private long lastRx = -1;
  private long lastTx = -1;

  /** Counters from {@code proc} (normally {@code /proc}), disk space of the file system of {@code disk}. */
  public ProcCounters(Path proc, Path disk) {
    this.proc = proc;
    this.disk = disk;
  }

  @Override
  public synchronized void read(long now, ObjDoubleConsumer<String> out) {
    double seconds = lastAt < 0 ? 0 : (now - lastAt) / 1000.0;
    lastAt = now;
    cpu(out);
    try {
      String[] load = Files.readString(proc.resolve("loadavg")).trim().split("\\s+");
      out.accept("os.load1", Double.parseDouble(load[0]));
    } catch (IOException | RuntimeException e) {
      // left out
    }
    memory(out);
    disks(out, seconds);
    network(out, seconds);
    if (disk != null) {
      try {
        FileStore fs = Files.getFileStore(Files.exists(disk) ? disk : disk.getRoot());
        long total = fs.getTotalSpace();
        if (total > 0) {
          out.accept("os.disk.used_pct", 100.0 * (total - fs.getUsableSpace()) / total);
          out.accept("os.disk.free_bytes", fs.getUsableSpace());
        }
      } catch (IOException | RuntimeException e) {
        // left out
      }
    }
  }

  private void cpu(ObjDoubleConsumer<String> out) {
    try {
      for (String line : Files.readAllLines(proc.resolve("stat"))) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long[] now = new long[f.length - 1];
          for (int i = 1; i < f.length; i++) {
            now[i - 1] = Long.parseLong(f[i]);
          }
          if (lastCpu != null && lastCpu.length == now.length) {
            long total = 0;
            for (int i = 0; i < now.length; i++) {
              total += now[i] - lastCpu[i];
            }
            // user nice system idle iowait irq softirq steal ...
            long idle = (now[3] - lastCpu[3]) + (now.length > 4 ? now[4] - lastCpu[4] : 0);
            if (total > 0) {
              out.accept("os.cpu.busy_pct", 100.0 * (total - idle) / total);
              if (now.length > 4) {
                out.accept("os.cpu.iowait_pct", 100.0 * (now[4] - lastCpu[4]) / total);
              }
            }
          }
          lastCpu = now;
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // left out
    }
  }

  private void memory(ObjDoubleConsumer<String> out) {
    try {
      long total = -1;
      long available = -1;
      for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          total = kib(line);
        } else if (line.startsWith("MemAvailable:")) {
          available = kib(line);
        }
      }
      if (total > 0 && available >= 0) {
        out.accept("os.mem.used_pct", 100.0 * (total - available) / total);
        out.accept("os.mem.available_bytes", available * 1024.0);
      }
    } catch (IOException | RuntimeException e) {
      // left out
    }
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  private void disks(ObjDoubleConsumer<String> out, double seconds) {
    try {
      long read = 0;
      long written = 0;
      for (String line : Files.readAllLines(proc.resolve("diskstats"))) {
        String[] f = line.trim().split("\\s+");
        // major minor name reads merged sectorsRead ms writes merged sectorsWritten ...
        if (f.length < 10 || !wholeDisk(f[2])) {
          continue;
        }
        read += Long.parseLong(f[5]) * 512;
        written += Long.parseLong(f[9]) * 512;
      }
      if (seconds > 0 && lastDiskRead >= 0) {
        out.accept("os.disk.read_bytes_per_s", Math.max(0, read - lastDiskRead) / seconds);
        out.accept("os.disk.write_bytes_per_s", Math.max(0, written - lastDiskWrite) / seconds);
      }
      lastDiskRead = read;
      lastDiskWrite = written;
    } catch (IOException | RuntimeException e) {
      // left out
    }
  }

  /** sda, vda, xvda, nvme0n1, mmcblk0 — not their partitions, not loop or ram devices. */
  static boolean wholeDisk(String name) {
    return name.matches("(sd|vd|xvd|hd)[a-z]+|nvme\\d+n\\d+|mmcblk\\d+");
  }

  private void network(ObjDoubleConsumer<String> out, double seconds) {
    try {
      long rx = 0;
      long tx = 0;
      List<String> lines = Files.readAllLines(proc.resolve("net").resolve("dev"));
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        if (name.equals("lo")) {
          continue;
        }
        String[] f = line.substring(colon + 1).trim().split("\\s+");
        rx += Long.parseLong(f[0]);
        tx += Long.parseLong(f[8]);
      }
      if (seconds > 0 && lastRx >= 0) {
        out.accept("os.net.rx_bytes_per_s", Math.max(0, rx - lastRx) / seconds);
        out.accept("os.net.tx_bytes_per_s", Math.max(0, tx - lastTx) / seconds);
      }
      lastRx = rx;
      lastTx = tx;
    } catch (IOException | RuntimeException e) {
      // left out
    }
  }
}
