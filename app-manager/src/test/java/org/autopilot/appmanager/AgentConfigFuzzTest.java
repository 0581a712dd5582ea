package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Coverage-guided fuzzing of {@link AgentConfig#load}, the reader of a machine's
 * {@code agent.yaml}. Each input is written to {@code agent.yaml} in a private temporary
 * directory that also holds a token file. Seeds in
 * {@code src/test/resources/org/autopilot/appmanager/AgentConfigFuzzTestInputs/load/}.
 *
 * <p>Properties, for any bytes: only {@link IOException} escapes, its message naming the file;
 * an accepted configuration has a machine id, DM URLs, a token and an absolute home, durations
 * that are not negative, at least one restart for a crash loop and watchdog settings.
 */
class AgentConfigFuzzTest {
  private static final Path DIR = tempDir();
  private static final Path FILE = DIR.resolve("agent.yaml");

  @FuzzTest
  @DictionaryEntries({"machineId: ", "dmUrls: ", "dmToken: ", "dmTokenFile: token", "home: ",
      "sources: ", "downlinkBytesPerSecond: ", "watchWait: ", "restartBackoff: ",
      "maxRestartBackoff: ", "stableAfter: ", "crashLoopRestarts: ", "crashLoopWindow: ",
      "peerPort: ", "watchdogs: ", "dir: ", "interval: ", "scriptTimeout: ", "diskPath: ",
      "report: ", "diskWarnPercent: ", "diskErrorPercent: ", "memoryWarnPercent: ",
      "memoryErrorPercent: ", "manifestRehash: ", "http://127.0.0.1:7101/api/v1", "999999999d",
      ".nan", "-.inf", "../"})
  void load(byte[] yaml) throws IOException {
    Files.write(FILE, yaml);
    AgentConfig c;
    try {
      c = AgentConfig.load(FILE);
    } catch (IOException e) {
      assertThat(e.getMessage()).contains("agent.yaml");
      return;
    }
    assertThat(c.machineId()).isNotNull();
    assertThat(c.dmUrls()).isNotEmpty();
    assertThat(c.dmToken()).isNotNull();
    assertThat(c.home()).isAbsolute();
    for (Duration d : new Duration[] {c.watchWait(), c.restartBackoff(), c.maxRestartBackoff(),
        c.stableAfter(), c.crashLoopWindow(), c.watchdogs().interval(),
        c.watchdogs().scriptTimeout(), c.watchdogs().manifestRehash()}) {
      assertThat(d).isNotNull();
      assertThat(d.isNegative()).as("negative %s", d).isFalse();
    }
    assertThat(c.crashLoopRestarts()).isPositive();
    assertThat(c.watchdogs()).isNotNull();
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("agent-config-fuzz");
      Files.writeString(dir.resolve("token"), "machine:h1:abc\n");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
