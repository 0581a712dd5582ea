package org.autopilot.fleetsim;

import java.util.SplittableRandom;
import java.util.function.ObjDoubleConsumer;
import org.autopilot.appmanager.OsCounters;

/**
 * A simulated machine's OS counters: plausible and varying (a daily and an hourly wave, a
 * machine-specific level, noise), and deterministic: each value is a function of the seed, the
 * machine's id and the time (10-second steps) only, so a fleet run with one seed replays the
 * same charts. Counters as {@link org.autopilot.appmanager.ProcCounters} names them.
 */
public final class SimulatedOsCounters implements OsCounters {
  private static final double GIB = 1024.0 * 1024 * 1024;
  private final long seed;
  private final double cpuLevel;
  private final double memLevel;
  private final double diskLevel;
  private final double netLevel;
  private final double phase;
  private final double memoryGib;
  private final int cores;

  /** Counters of machine {@code id} under {@code seed}. */
  public SimulatedOsCounters(String id, long seed) {
    this.seed = seed * 0x9E3779B97F4A7C15L ^ id.hashCode();
    SplittableRandom r = new SplittableRandom(this.seed);
    this.cpuLevel = 8 + r.nextDouble() * 40;
    this.memLevel = 25 + r.nextDouble() * 45;
    this.diskLevel = 15 + r.nextDouble() * 55;
    this.netLevel = 2e5 + r.nextDouble() * 5e6;
    this.phase = r.nextDouble() * 2 * Math.PI;
    this.memoryGib = new int[] {8, 16, 32, 64}[r.nextInt(4)];
    this.cores = new int[] {2, 4, 8, 16}[r.nextInt(4)];
  }

  @Override
  public void read(long now, ObjDoubleConsumer<String> out) {
    long step = Math.floorDiv(now, 10_000L);
    double day = Math.sin(2 * Math.PI * (now % 86_400_000L) / 86_400_000.0 + phase);
    double hour = Math.sin(2 * Math.PI * (now % 3_600_000L) / 3_600_000.0 + 2 * phase);
    double cpu = clamp(cpuLevel * (1 + 0.5 * day) + 6 * hour + 8 * noise(step, 1), 0.5, 100);
    out.accept("os.cpu.busy_pct", round(cpu));
    out.accept("os.cpu.iowait_pct", round(clamp(1.5 + 1.5 * noise(step, 2), 0, 100)));
    out.accept("os.load1", round(Math.max(0, cpu / 100 * cores + 0.3 * noise(step, 3))));
    double mem = clamp(memLevel + 8 * day + 2 * noise(step, 4), 1, 99);
    out.accept("os.mem.used_pct", round(mem));
    out.accept("os.mem.available_bytes", Math.round((100 - mem) / 100 * memoryGib * GIB));
    // the disk fills slowly over the day and is cleaned at midnight
    double disk = clamp(diskLevel + 5 * ((now % 86_400_000L) / 86_400_000.0) + 0.2 * noise(step, 5), 0, 100);
    out.accept("os.disk.used_pct", round(disk));
    out.accept("os.disk.read_bytes_per_s", Math.round(Math.max(0, 2e6 * (1 + day) * (1 + noise(step, 6)))));
    out.accept("os.disk.write_bytes_per_s", Math.round(Math.max(0, 1e6 * (1 + hour) * (1 + noise(step, 7)))));
    out.accept("os.net.rx_bytes_per_s", Math.round(Math.max(0, netLevel * (1 + 0.6 * day) * (1 + 0.3 * noise(step, 8)))));
    out.accept("os.net.tx_bytes_per_s", Math.round(Math.max(0, netLevel * 0.4 * (1 + 0.6 * day) * (1 + 0.3 * noise(step, 9)))));
  }

  /** Deterministic noise in [-1, 1) for a time step and a counter. */
  private double noise(long step, int counter) {
    return new SplittableRandom(seed ^ (step * 0x632BE59BD9B4E019L) ^ (counter * 0x85157AF5L)).nextDouble() * 2 - 1;
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
