package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of shipping to the collection that need no service: the {@code collection:}
 * section of agent.yaml, counters from a /proc, following app output files. The whole path,
 * agent to service, is tested in the collection module (AgentShippingTest).
 */
class CollectionShippingPartsTest {
  @TempDir Path dir;

  @Test
  void readsTheCollectionSectionStrictly() throws Exception {
    Path f = Files.writeString(dir.resolve("agent.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmToken: t
        home: state
        collection:
          urls: [http://10.0.0.5:7601, http://10.0.0.6:7601]
          interval: 5s
          bufferSamples: 20000
        """);
    CollectionConfig c = AgentConfig.load(f).collection();
    assertThat(c.urls()).containsExactly(URI.create("http://10.0.0.5:7601"), URI.create("http://10.0.0.6:7601"));
    assertThat(c.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.bufferSamples()).isEqualTo(20000);
    assertThat(c.maxBatchSamples()).isEqualTo(5000);
    Path none = Files.writeString(dir.resolve("none.yaml"), "machineId: h1\ndmUrls: [http://x/api/v1]\ndmToken: t\nhome: s\n");
    assertThat(AgentConfig.load(none).collection()).isNull();
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "machineId: h1\ndmUrls: [http://x/api/v1]\ndmToken: t\n"
        + "home: s\ncollection:\n  urls: [http://x]\n  bufferSamples: 10\n");
    assertThatThrownBy(() -> AgentConfig.load(bad)).hasMessageContaining("collection.bufferSamples");
    Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "machineId: h1\ndmUrls: [http://x/api/v1]\n"
        + "dmToken: t\nhome: s\ncollection:\n  urls: [http://x]\n  colour: red\n");
    assertThatThrownBy(() -> AgentConfig.load(unknown)).hasMessageContaining("colour");
  }

  @Test
  void readsCountersFromProc() throws Exception {
    Path proc = Files.createDirectories(dir.resolve("proc"));
    Files.createDirectories(proc.resolve("net"));
    write(proc, 100, 0, 50, 800, 50, 1000, 2000, 10_000, 20_000);
    Files.writeString(proc.resolve("loadavg"), "0.52 0.40 0.30 1/123 4567\n");
    Files.writeString(proc.resolve("meminfo"), "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n");
    ProcCounters c = new ProcCounters(proc, dir);
    Map<String, Double> first = read(c, 0);
    assertThat(first).containsEntry("os.load1", 0.52).containsEntry("os.mem.used_pct", 75.0)
        .containsEntry("os.mem.available_bytes", 250.0 * 1024).containsKey("os.disk.used_pct")
        .doesNotContainKey("os.cpu.busy_pct").doesNotContainKey("os.net.rx_bytes_per_s");
    // 10 s later: 200 more jiffies, 100 of them idle or iowait; 10,000 sectors read; 50 kB in
    write(proc, 150, 0, 100, 880, 70, 11_000, 2000, 60_000, 20_000);
    Map<String, Double> second = read(c, 10_000);
    assertThat(second).containsEntry("os.cpu.busy_pct", 50.0).containsEntry("os.cpu.iowait_pct", 10.0)
        .containsEntry("os.disk.read_bytes_per_s", 10_000 * 512 / 10.0).containsEntry("os.disk.write_bytes_per_s", 0.0)
        .containsEntry("os.net.rx_bytes_per_s", 5000.0).containsEntry("os.net.tx_bytes_per_s", 0.0);
    assertThat(ProcCounters.wholeDisk("nvme0n1")).isTrue();
    assertThat(ProcCounters.wholeDisk("sda1")).isFalse();
    assertThat(ProcCounters.wholeDisk("loop0")).isFalse();
  }

  private static void write(Path proc, long user, long nice, long system, long idle, long iowait,
      long sectorsRead, long sectorsWritten, long rx, long tx) throws Exception {
    Files.writeString(proc.resolve("stat"), "cpu  " + user + " " + nice + " " + system + " " + idle + " " + iowait
        + " 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n");
    Files.writeString(proc.resolve("diskstats"), "   8       0 sda 100 0 " + sectorsRead + " 10 50 0 " + sectorsWritten
        + " 20 0 30 40\n   8       1 sda1 100 0 999999 10 50 0 999999 20 0 30 40\n   7 0 loop0 1 0 999 0 0 0 0 0 0 0 0\n");
    Files.writeString(proc.resolve("net").resolve("dev"), "Inter-|   Receive |  Transmit\n face |bytes packets\n"
        + "    lo: 99999 1 0 0 0 0 0 0 99999 1 0 0 0 0 0 0\n  eth0: " + rx + " 10 0 0 0 0 0 0 " + tx + " 5 0 0 0 0 0 0\n");
  }

  private static Map<String, Double> read(ProcCounters c, long now) {
    Map<String, Double> out = new LinkedHashMap<>();
    c.read(now, out::put);
    return out;
  }

  @Test
  void followsAppOutputFilesLineByLine() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(logs.resolve("old.log"), "written before the agent started\n");
    AppLogTail tail = new AppLogTail(logs);
    List<String> got = new ArrayList<>();
    AppLogTail.Lines sink = (app, level, text) -> got.add(app + "|" + level + "|" + text);
    tail.poll(sink);
    assertThat(got).isEmpty();
    Files.writeString(logs.resolve("old.log"), "2024-05-01 12:00:00 WARN disk slow\nhalf a li", StandardOpenOption.APPEND);
    Files.writeString(logs.resolve("web.log"), "GET / 200\nERROR: boom\n\n");
    tail.poll(sink);
    assertThat(got).containsExactlyInAnyOrder("old|WARN|2024-05-01 12:00:00 WARN disk slow", "web|INFO|GET / 200",
        "web|ERROR|ERROR: boom");
    got.clear();
    Files.writeString(logs.resolve("old.log"), "ne\r\n", StandardOpenOption.APPEND);
    Files.writeString(logs.resolve("web.log"), "restarted\n"); // truncated and rewritten
    tail.poll(sink);
    assertThat(got).containsExactlyInAnyOrder("old|INFO|half a line", "web|INFO|restarted");
    got.clear();
    Files.writeString(logs.resolve("web.log"), "x".repeat(AppLogTail.MAX_LINE + 10), StandardOpenOption.APPEND);
    tail.poll(sink);
    assertThat(got).hasSize(1);
    assertThat(got.get(0)).hasSize("web|INFO|".length() + AppLogTail.MAX_LINE);
    assertThat(AppLogTail.level("FATAL: out of memory")).isEqualTo("ERROR");
    assertThat(AppLogTail.level("[main] WARNING low disk")).isEqualTo("WARN");
    assertThat(AppLogTail.level("information only")).isEqualTo("INFO");
  }

  @Test
  void perfdataLabelsBecomeCounterNames() {
    assertThat(CounterShipper.counterName("wd.disk./var used")).isEqualTo("wd.disk./var_used");
    assertThat(CounterShipper.counterName("wd.app'q'.x")).isEqualTo("wd.app_q_.x");
  }
}
