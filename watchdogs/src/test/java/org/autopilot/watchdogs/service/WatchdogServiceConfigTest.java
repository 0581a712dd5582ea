package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The YAML file: defaults, secrets read from files beside it, mistakes named with file and key. */
class WatchdogServiceConfigTest {
  @TempDir Path dir;

  Path write(String yaml) throws IOException {
    Files.writeString(dir.resolve("wd.token"), "t0ken\n");
    Files.writeString(dir.resolve("machine-secret"), "ab".repeat(32) + "\n");
    return Files.writeString(dir.resolve("watchdog-service.yaml"), yaml);
  }

  static final String MINIMAL = """
      id: wd1
      listen: 127.0.0.1:7501
      dmUrls: [http://127.0.0.1:7101/api/v1]
      dmTokenFile: wd.token
      machineSecretFile: machine-secret
      """;

  @Test
  void aMinimalFileGetsTheDefaults() throws IOException {
    WatchdogServiceConfig c = WatchdogServiceConfig.load(write(MINIMAL));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(7501);
    assertThat(c.advertisedUrl()).isEqualTo("http://127.0.0.1:7501");
    assertThat(c.dmToken()).isEqualTo("t0ken");
    assertThat(c.machineSecret()).isEqualTo("ab".repeat(32));
    assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.probeInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.probeConcurrency()).isEqualTo(16);
    assertThat(c.sshKey()).isNull();
  }

  @Test
  void everyKeyCanBeSetAndTheProbeTurnedOff() throws IOException {
    WatchdogServiceConfig c = WatchdogServiceConfig.load(write(MINIMAL + """
        advertise: http://10.0.0.5:7501
        flushInterval: 250ms
        leaseTtl: 20s
        heartbeatSweep: 2s
        fleetRefresh: 1m
        probeInterval: "off"
        probeTimeout: 3s
        probeConcurrency: 4
        sshUser: autopilot
        sshKey: keys/operator_key
        """));
    assertThat(c.advertisedUrl()).isEqualTo("http://10.0.0.5:7501");
    assertThat(c.flushInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.fleetRefresh()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.probeInterval()).isNull();
    assertThat(c.sshKey()).isEqualTo(dir.toAbsolutePath().resolve("keys/operator_key"));
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws IOException {
    assertThatThrownBy(() -> WatchdogServiceConfig.load(write(MINIMAL + "flushInterva: 1s\n")))
        .hasMessageContaining("watchdog-service.yaml").hasMessageContaining("flushInterva");
    assertThatThrownBy(() -> WatchdogServiceConfig.load(write(MINIMAL + "flushInterval: 1 second\n")))
        .hasMessageContaining("flushInterval '1 second' is not a duration");
    assertThatThrownBy(() -> WatchdogServiceConfig.load(write(MINIMAL + "leaseTtl: 20m\n")))
        .hasMessageContaining("leaseTtl 20m is outside 1s..10m");
    assertThatThrownBy(() -> WatchdogServiceConfig.load(write(MINIMAL.replace("wd.token", "missing.token"))))
        .hasMessageContaining("dmTokenFile: cannot read");
    assertThatThrownBy(() -> WatchdogServiceConfig.load(write(MINIMAL.replace("listen: 127.0.0.1:7501\n", ""))))
        .hasMessageContaining("id, listen, dmUrls, dmTokenFile and machineSecretFile are required");
  }
}
