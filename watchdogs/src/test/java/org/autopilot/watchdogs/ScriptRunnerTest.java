package org.autopilot.watchdogs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.autopilot.devicemanager.model.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real scripts run by the runner. */
class ScriptRunnerTest {
  @TempDir Path dir;

  Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  WatchdogResult run(Path p, Duration timeout) throws Exception {
    return ScriptRunner.run(p, dir, Map.of("LIMIT", "90"), timeout);
  }

  @Test
  void aPluginsVerdictTextAndPerfdataAreRead() throws Exception {
    WatchdogResult r = run(script("load", "echo \"LOAD WARNING - load $LIMIT | load1=3.2;2;4;0\"; exit 1"),
        Duration.ofSeconds(5));
    assertThat(r.status()).isEqualTo(Health.WARNING);
    assertThat(r.text()).isEqualTo("LOAD WARNING - load 90");
    assertThat(r.perfData().get(0).crit().alerts(3.2)).isFalse();
  }

  @Test
  void aTimedOutScriptIsUnknownAndKilledWithItsChildren() throws Exception {
    Path pidFile = dir.resolve("child.pid");
    WatchdogResult r = run(script("slow", "echo 'started'; sleep 30 & echo $! > " + pidFile + "; sleep 30"),
        Duration.ofMillis(500));
    assertThat(r.status()).isEqualTo(Health.UNKNOWN);
    assertThat(r.problems().get(0)).startsWith("timed out after 500 ms");
    assertThat(r.text()).isEqualTo("started");
    long child = Long.parseLong(Files.readString(pidFile).trim());
    for (int i = 0; i < 100 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
      Thread.sleep(20);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aCrashingOrMissingScriptIsUnknownNotError() throws Exception {
    assertThat(run(script("crash", "kill -9 $$"), Duration.ofSeconds(5)).status()).isEqualTo(Health.UNKNOWN);
    assertThat(run(script("crash2", "kill -9 $$"), Duration.ofSeconds(5)).problems().get(0))
        .startsWith("killed by signal 9");
    Files.writeString(dir.resolve("plain"), "not executable");
    assertThat(run(dir.resolve("plain"), Duration.ofSeconds(5)).status()).isEqualTo(Health.UNKNOWN);
  }

  @Test
  void floodsOfOutputAreCappedWithoutBlockingTheScript() throws Exception {
    WatchdogResult r = run(script("flood", "head -c 1000000 /dev/zero | tr '\\\\0' 'x'; echo; exit 2"),
        Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(Health.ERROR);
    assertThat(r.problems()).anyMatch(p -> p.startsWith("output cut at 8192"));
  }
}
