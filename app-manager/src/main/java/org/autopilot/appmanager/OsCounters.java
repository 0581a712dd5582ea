package org.autopilot.appmanager;

import java.util.function.ObjDoubleConsumer;

/**
 * The machine's own counters (CPU, memory, disk, network), sampled by the agent for the
 * collection service. {@link ProcCounters} reads a real Linux machine's {@code /proc}; a
 * simulated machine supplies its own.
 */
public interface OsCounters {
  /**
   * Reports each counter's current value to {@code out} ({@code os.cpu.busy_pct},
   * {@code os.mem.used_pct}, ...). Rates are per second since the previous call; the first call
   * may leave them out. Must not throw; a counter it cannot read is left out.
   */
  void read(long nowMillis, ObjDoubleConsumer<String> out);

  /** No counters. */
  OsCounters NONE = (now, out) -> {};
}
