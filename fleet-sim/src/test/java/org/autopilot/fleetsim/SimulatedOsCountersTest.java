package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedOsCountersTest {
  static final long T = 1_714_564_800_000L; // 2024-05-01T12:00:00Z

  static Map<String, Double> read(SimulatedOsCounters c, long t) {
    Map<String, Double> out = new LinkedHashMap<>();
    c.read(t, out::put);
    return out;
  }

  @Test
  void sameSeedMachineAndTimeGiveTheSameValues() {
    assertThat(read(new SimulatedOsCounters("sim-01", 7), T)).isEqualTo(read(new SimulatedOsCounters("sim-01", 7), T));
    assertThat(read(new SimulatedOsCounters("sim-01", 7), T)).isNotEqualTo(read(new SimulatedOsCounters("sim-02", 7), T));
    assertThat(read(new SimulatedOsCounters("sim-01", 7), T)).isNotEqualTo(read(new SimulatedOsCounters("sim-01", 8), T));
  }

  @Test
  void valuesArePlausibleAndVary() {
    SimulatedOsCounters c = new SimulatedOsCounters("sim-03", 1);
    Set<Double> cpu = new HashSet<>();
    for (int i = 0; i < 360; i++) {
      Map<String, Double> v = read(c, T + i * 10_000L);
      assertThat(v.keySet()).contains("os.cpu.busy_pct", "os.mem.used_pct", "os.disk.used_pct", "os.net.rx_bytes_per_s",
          "os.load1");
      assertThat(v.get("os.cpu.busy_pct")).isBetween(0.0, 100.0);
      assertThat(v.get("os.mem.used_pct")).isBetween(0.0, 100.0);
      assertThat(v.get("os.disk.used_pct")).isBetween(0.0, 100.0);
      assertThat(v.values()).allMatch(x -> Double.isFinite(x) && x >= 0);
      cpu.add(v.get("os.cpu.busy_pct"));
    }
    assertThat(cpu.size()).isGreaterThan(100);
  }
}
