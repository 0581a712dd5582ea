package org.autopilot.watchdogs.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.watchdogs.WatchdogResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory watchdog on files in the layout of {@code /proc/meminfo}, and on the real one. */
class MemoryWatchdogTest {
  @TempDir Path dir;

  WatchdogResult check(String meminfo) throws Exception {
    Path f = Files.writeString(dir.resolve("meminfo"), meminfo);
    return new MemoryWatchdog(f, Thresholds.DEFAULT).check();
  }

  static String meminfo(long totalKib, long availableKib) {
    return "MemTotal:       " + totalKib + " kB\nMemFree:          12345 kB\nMemAvailable:   "
        + availableKib + " kB\nBuffers:          1000 kB\n";
  }

  @Test
  void availableMemoryIsJudgedAgainstTheThresholds() throws Exception {
    WatchdogResult ok = check(meminfo(1_000_000, 500_000));
    assertThat(ok.status()).isEqualTo(Health.OK);
    assertThat(ok.text()).isEqualTo("memory OK: at least 10% available");
    assertThat(ok.perfData().get(0).value()).isEqualTo(50.0);
    assertThat(ok.perfData().get(1).value()).isEqualTo(500_000 * 1024.0);
    WatchdogResult warn = check(meminfo(1_000_000, 80_000));
    assertThat(warn.status()).isEqualTo(Health.WARNING);
    assertThat(warn.text()).isEqualTo("memory WARNING: 8.0% available (78.1 MiB of 976.6 MiB), below 10%");
    WatchdogResult error = check(meminfo(1_000_000, 20_000));
    assertThat(error.status()).isEqualTo(Health.ERROR);
    assertThat(error.text()).startsWith("memory ERROR: 2.0% available").endsWith("below 5%");
  }

  @Test
  void anUnreadableOrIncompleteFileIsUnknown() throws Exception {
    assertThat(new MemoryWatchdog(dir.resolve("nope"), Thresholds.DEFAULT).check().status())
        .isEqualTo(Health.UNKNOWN);
    WatchdogResult old = check("MemTotal: 1000 kB\nMemFree: 10 kB\n");
    assertThat(old.status()).isEqualTo(Health.UNKNOWN);
    assertThat(old.text()).contains("no readable MemAvailable");
    assertThat(check("MemTotal: lots\nMemAvailable: 5 kB\n").text()).contains("no readable MemTotal");
  }

  @Test
  void theRealProcMeminfoIsRead() {
    assumeTrue(Files.isReadable(MemoryWatchdog.PROC_MEMINFO), "a Linux host");
    WatchdogResult r = new MemoryWatchdog(MemoryWatchdog.PROC_MEMINFO, new Thresholds(0, 0)).check();
    assertThat(r.status()).isEqualTo(Health.OK);
    assertThat(r.perfData().get(0).value()).isBetween(0.0, 100.0);
  }
}
