package org.autopilot.watchdogs.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.watchdogs.PerfData;
import org.autopilot.watchdogs.WatchdogResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk watchdog on a real directory of the test machine. */
class DiskWatchdogTest {
  @TempDir Path dir;

  @Test
  void aWritableDirectoryWithRoomIsOkAndTheProbeLeavesNothingBehind() {
    WatchdogResult r = new DiskWatchdog(dir, new Thresholds(0.001, 0)).check();
    assertThat(r.status()).isEqualTo(Health.OK);
    assertThat(r.text()).isEqualTo("disk OK: " + dir + " at least 0.001% free, write probe ok");
    PerfData free = r.perfData().get(0);
    assertThat(free.label()).isEqualTo("free");
    assertThat(free.value()).isBetween(0.0, 100.0);
    assertThat(free.uom()).isEqualTo("%");
    assertThat(DiskWatchdog.probe(dir)).doesNotExist();
  }

  @Test
  void aProbeThatCannotBeWrittenIsAnErrorTheDmTakesAsFatal() throws Exception {
    Files.createDirectories(DiskWatchdog.probe(dir).resolve("in-the-way"));
    WatchdogResult r = new DiskWatchdog(dir, Thresholds.DEFAULT).check();
    assertThat(r.status()).isEqualTo(Health.ERROR);
    assertThat(r.text()).contains(DiskWatchdog.FATAL).contains(DiskWatchdog.PROBE);
    assertThat(HealthPolicy.DEFAULT.fatalRule("disk", r.text())).as("the DM's default fatal rule").isNotNull();
  }

  @Test
  void freeSpaceBelowTheThresholdsIsWarningThenErrorButNotFatal() {
    WatchdogResult warn = new DiskWatchdog(dir, new Thresholds(100, 0)).check();
    assertThat(warn.status()).isEqualTo(Health.WARNING);
    assertThat(warn.text()).startsWith("disk WARNING: " + dir).endsWith("below 100%");
    WatchdogResult error = new DiskWatchdog(dir, new Thresholds(100, 100)).check();
    assertThat(error.status()).isEqualTo(Health.ERROR);
    assertThat(HealthPolicy.DEFAULT.fatalRule("disk", error.text())).as("a full disk is not broken").isNull();
  }

  @Test
  void aPathThatIsNoDirectoryIsUnknownNotError() {
    WatchdogResult r = new DiskWatchdog(dir.resolve("missing"), Thresholds.DEFAULT).check();
    assertThat(r.status()).isEqualTo(Health.UNKNOWN);
    assertThat(r.text()).contains("is not a directory");
  }
}
