package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @TempDir Path dir;

  @Test
  void readsAFileWithDefaultsAndATokenFile() throws Exception {
    Files.writeString(dir.resolve("token"), "machine:h1:abc\n");
    Path f = Files.writeString(dir.resolve("agent.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmTokenFile: token
        home: state
        sources: [http://10.0.0.9:7401]
        restartBackoff: 500ms
        """);
    AgentConfig c = AgentConfig.load(f);
    assertThat(c.dmToken()).isEqualTo("machine:h1:abc");
    assertThat(c.home()).isEqualTo(dir.resolve("state"));
    assertThat(c.sources()).containsExactly(URI.create("http://10.0.0.9:7401"));
    assertThat(c.restartBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.watchWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aCaFileIsTakenRelativeToTheFileAndABadOneStopsTheAgentNamingIt() throws Exception {
    Path f = Files.writeString(dir.resolve("agent.yaml"), """
        machineId: h1
        dmUrls: [https://127.0.0.1:1/api/v1]
        dmToken: t
        home: state
        caFile: tls/ca.pem
        """);
    AgentConfig c = AgentConfig.load(f);
    assertThat(c.caFile()).isEqualTo(dir.resolve("tls/ca.pem"));
    assertThat(c.withWatchWait(Duration.ofSeconds(1)).caFile()).isEqualTo(c.caFile());
    assertThatThrownBy(() -> new AppManager(c, java.time.InstantSource.system(), new java.util.Random(1),
        AgentFaults.NONE))
        .isInstanceOf(org.autopilot.tls.TlsConfigException.class)
        .hasMessage("caFile " + dir.resolve("tls/ca.pem") + ": no such file");
    assertThat(dir.resolve("state")).as("nothing made").doesNotExist();
  }

  @Test
  void watchdogSettingsHaveDefaultsUnderHomeAndCanBeSet() throws Exception {
    Path plain = Files.writeString(dir.resolve("plain.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmToken: t
        home: state
        """);
    WatchdogConfig d = AgentConfig.load(plain).watchdogs();
    assertThat(d.dir()).isEqualTo(dir.resolve("state/watchdogs"));
    assertThat(d.diskPath()).isEqualTo(dir.resolve("state"));
    assertThat(d.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(d.scriptTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.manifestRehash()).isEqualTo(Duration.ofSeconds(60));
    assertThat(d.report()).isEmpty();
    assertThat(d.disk().warnBelow()).isEqualTo(10);
    assertThat(d.memory().errorBelow()).isEqualTo(5);

    Path set = Files.writeString(dir.resolve("set.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmToken: t
        home: state
        watchdogs:
          dir: /etc/autopilot/watchdogs
          interval: 10s
          scriptTimeout: 3s
          diskPath: /var
          report: [http://10.0.0.20:7501, http://10.0.0.21:7501]
          diskWarnPercent: 20
          diskErrorPercent: 2.5
          memoryWarnPercent: 15
          memoryErrorPercent: 3
          manifestRehash: 5m
        """);
    WatchdogConfig w = AgentConfig.load(set).watchdogs();
    assertThat(w.dir()).isEqualTo(Path.of("/etc/autopilot/watchdogs"));
    assertThat(w.diskPath()).isEqualTo(Path.of("/var"));
    assertThat(w.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(w.scriptTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(w.report()).containsExactly(URI.create("http://10.0.0.20:7501"), URI.create("http://10.0.0.21:7501"));
    assertThat(w.disk()).isEqualTo(new org.autopilot.watchdogs.builtin.Thresholds(20, 2.5));
    assertThat(w.memory()).isEqualTo(new org.autopilot.watchdogs.builtin.Thresholds(15, 3));
    assertThat(w.manifestRehash()).isEqualTo(Duration.ofMinutes(5));

    Path typo = Files.writeString(dir.resolve("typo.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmToken: t
        home: state
        watchdogs: {intervall: 10s}
        """);
    assertThatThrownBy(() -> AgentConfig.load(typo)).hasMessageContaining("typo.yaml")
        .hasMessageContaining("intervall");
    Path inverted = Files.writeString(dir.resolve("inverted.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmToken: t
        home: state
        watchdogs: {diskWarnPercent: 5, diskErrorPercent: 10}
        """);
    assertThatThrownBy(() -> AgentConfig.load(inverted)).hasMessageContaining("thresholds need");
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws Exception {
    Path f = Files.writeString(dir.resolve("agent.yaml"), "machineId: h1\ndmUrl: x\n");
    assertThatThrownBy(() -> AgentConfig.load(f)).hasMessageContaining("agent.yaml")
        .hasMessageContaining("dmUrl");
    Path g = Files.writeString(dir.resolve("b.yaml"), """
        machineId: h1
        dmUrls: [http://x/api/v1]
        dmToken: t
        home: h
        watchWait: soon
        """);
    assertThatThrownBy(() -> AgentConfig.load(g)).hasMessageContaining("watchWait 'soon'");
  }
}
