package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outside probe against real MINA SSH servers on loopback, through a real DM. */
class SshProbeTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  static org.autopilot.devicemanager.model.Incident openIncident(String scope, DmFixture dm) {
    return dm.admin.incidents().stream().filter(i -> i.open() && i.scope().equals(scope))
        .findFirst().orElse(null);
  }

  @Test
  void reachableMismatchedAndDeadMachinesAndAKeyThatChanges(@TempDir Path dir) throws Exception {
    KeyPair operator = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    Path keyFile = dir.resolve("operator_key");
    try (OutputStream out = Files.newOutputStream(keyFile)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(operator, "test", null, out);
    }
    try (DmFixture dm = new DmFixture(dir.resolve("dm"));
        SshHost good = new SshHost(dir.resolve("p1_host_key"), 0, operator.getPublic());
        SshHost other = new SshHost(dir.resolve("p2_host_key"), 0, operator.getPublic())) {
      int dead = LocalCluster.freePort();
      String pinned = good.fingerprint();
      dm.registerAt("web", "127.0.0.1:" + good.port(), good.fingerprint(), "p1");
      dm.registerAt("web", "127.0.0.1:" + other.port(), good.fingerprint(), "p2");
      dm.registerAt("web", "127.0.0.1:" + dead, good.fingerprint(), "p3");
      dm.register("p4");
      dm.healthy("p1", "p2", "p3");
      WatchdogServiceConfig c = dm.config("wd-probe")
          .withTimes(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(1),
              Duration.ofMinutes(10), Duration.ofMillis(300))
          .withProbeLogin("root", keyFile);
      try (WatchdogService s = WatchdogService.start(c, InstantSource.system())) {
        Await.until("p1 probed OK", WAIT, () -> dm.watchdog("p1", "ssh").isPresent());
        assertThat(dm.watchdog("p1", "ssh").get().status()).isEqualTo(Health.OK);
        assertThat(dm.watchdog("p1", "ssh").get().text()).isEqualTo("reachable, host key verified, login ok");

        Await.until("p2 probed", WAIT, () -> dm.watchdog("p2", "ssh").isPresent());
        WatchdogState p2 = dm.watchdog("p2", "ssh").get();
        assertThat(p2.status()).isEqualTo(Health.ERROR);
        assertThat(p2.text()).isEqualTo("host key mismatch: expected " + good.fingerprint()
            + ", got " + other.fingerprint());
        Await.until("an incident for p2", WAIT, () -> openIncident("machine:p2", dm) != null);
        assertThat(openIncident("machine:p2", dm).reason()).contains("presented " + other.fingerprint(),
            "seen by watchdog", "automation stopped");

        Await.until("p3 failing twice in a row", WAIT,
            () -> dm.watchdog("p3", "ssh").map(WatchdogState::consecutive).orElse(0) >= 2);
        assertThat(dm.watchdog("p3", "ssh").get().text()).isEqualTo("unreachable: connection refused");
        assertThat(dm.watchdog("p4", "ssh")).as("p4 is New: not probed").isEmpty();
        assertThat(dm.admin.machine(org.autopilot.devicemanager.model.MachineId.of("p4")).get().state())
            .isEqualTo(LifecycleState.NEW);

        // p1 is reinstalled behind the same address with a new host key: never accepted
        int port = good.port();
        good.close();
        Files.delete(dir.resolve("p1_host_key"));
        try (SshHost reinstalled = new SshHost(dir.resolve("p1_host_key"), port, operator.getPublic())) {
          // a probe landing while the old server went down may first say "unreachable" or
          // "login refused"; what matters is that the new key is then named and refused
          Await.until("p1 mismatch", WAIT, () -> dm.watchdog("p1", "ssh").get().status() == Health.ERROR
              && dm.watchdog("p1", "ssh").get().text().startsWith("host key mismatch"));
          assertThat(reinstalled.fingerprint()).isNotEqualTo(pinned);
          assertThat(dm.watchdog("p1", "ssh").get().text()).isEqualTo("host key mismatch: expected "
              + pinned + ", got " + reinstalled.fingerprint());
          Await.until("an incident for p1", WAIT, () -> openIncident("machine:p1", dm) != null);
          assertThat(openIncident("machine:p1", dm).reason()).contains("presented " + reinstalled.fingerprint());
          assertThat(dm.admin.incidents().stream().filter(i -> i.scope().equals("machine:p2")))
              .as("one incident however often p2 is probed").hasSize(1);
        }
      }
    }
  }
}
