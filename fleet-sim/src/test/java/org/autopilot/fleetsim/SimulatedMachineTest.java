package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simulated machines driven over real SSH sessions (MINA client to MINA server) on loopback. */
class SimulatedMachineTest {
  @TempDir Path dir;
  KeyPair operator;
  SimulatedFleet fleet;
  SshProbe ssh;

  @BeforeEach
  void setUp() throws Exception {
    operator = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    fleet = new SimulatedFleet(dir, List.of(operator.getPublic()), () -> MachineAgent.NONE,
        Duration.ofMillis(300));
    ssh = new SshProbe(operator);
  }

  @AfterEach
  void tearDown() throws Exception {
    ssh.close();
    fleet.close();
  }

  @Test
  void aMachineAnswersItsManagementVerbsOverSsh() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    assertThat(ssh.run(m.port(), "machine-id")).isEqualTo(new SshProbe.Result(0, "sim-1", ""));
    assertThat(ssh.run(m.port(), "facts").out()).contains("\"cpus\":4");
    assertThat(ssh.run(m.port(), "power status").out()).isEqualTo("on");
    SshProbe.Result shell = ssh.run(m.port(), "echo hello > note && cat note && pwd");
    assertThat(shell.exit()).isZero();
    assertThat(shell.out()).startsWith("hello").endsWith(m.disk().toString());
  }

  @Test
  void onlyAuthorisedKeysGetIn() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    try (SshProbe stranger = new SshProbe(KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256))) {
      assertThatThrownBy(() -> stranger.run(m.port(), "machine-id")).hasMessageContaining("auth");
    }
  }

  @Test
  void rebootTakesTheMachineOffTheNetworkAndBringsItBackWithItsDisk() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    ssh.run(m.port(), "echo kept > data");
    assertThat(ssh.run(m.port(), "reboot").out()).isEqualTo("rebooting");
    awaitBoots(m, 2);
    assertThat(ssh.run(m.port(), "cat data").out()).isEqualTo("kept");
  }

  @Test
  void reimageWipesTheDiskAndInstallsTheImage() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    ssh.run(m.port(), "echo old > data");
    assertThat(ssh.run(m.port(), "reimage ubuntu-24.04").exit()).isZero();
    awaitBoots(m, 2);
    assertThat(ssh.run(m.port(), "ls").out()).isEqualTo("image");
    assertThat(Files.readString(m.disk().resolve("image")).trim()).isEqualTo("ubuntu-24.04");
  }

  @Test
  void injectedFaultsShowAndClear() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    m.inject(Fault.DISK_ERROR);
    SshProbe.Result check = ssh.run(m.port(), "disk-check");
    assertThat(check.exit()).isEqualTo(2);
    assertThat(check.out()).startsWith("CRITICAL");
    assertThat(ssh.run(m.port(), "touch x").exit()).isEqualTo(74);
    m.clear(Fault.DISK_ERROR);
    assertThat(ssh.run(m.port(), "disk-check").exit()).isZero();

    m.inject(Fault.DEAD_NETWORK);
    assertThatThrownBy(() -> ssh.run(m.port(), "machine-id"))
        .hasRootCauseInstanceOf(java.net.ConnectException.class);
    m.clear(Fault.DEAD_NETWORK);
    assertThat(ssh.run(m.port(), "machine-id").out()).isEqualTo("sim-1");
  }

  @Test
  void theHostKeySurvivesARestartOfTheSimulatorAndAChangedKeyIsRefused() throws Exception {
    SimulatedMachine m = fleet.add("sim-1", 0);
    ssh.run(m.port(), "machine-id");
    PublicKey first = ssh.lastSeen.get();
    int port = m.port();
    fleet.close();

    fleet = new SimulatedFleet(dir, List.of(operator.getPublic()), () -> MachineAgent.NONE,
        Duration.ofMillis(300));
    fleet.add("sim-1", port);
    ssh.pinned = first;
    assertThat(ssh.run(port, "machine-id").out()).isEqualTo("sim-1");

    fleet.close();
    Files.delete(dir.resolve("sim-1").resolve("ssh_host_key"));
    fleet = new SimulatedFleet(dir, List.of(operator.getPublic()), () -> MachineAgent.NONE,
        Duration.ofMillis(300));
    fleet.add("sim-1", port);
    assertThatThrownBy(() -> ssh.run(port, "machine-id")).as("new host key, pinned old one")
        .hasMessageContaining("Server key did not validate");
    assertThat(KeyUtils.compareKeys(first, ssh.lastSeen.get())).as("a new key was offered").isFalse();
  }

  @Test
  void theAgentIsStoppedAndStartedAcrossAReboot() throws Exception {
    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    fleet.close();
    fleet = new SimulatedFleet(dir, List.of(operator.getPublic()), () -> new MachineAgent() {
      @Override
      public void start(SimulatedMachine machine) {
        log.add("start " + machine.boots());
      }

      @Override
      public void stop() {
        log.add("stop");
      }
    }, Duration.ofMillis(300));
    SimulatedMachine m = fleet.add("sim-1", 0);
    ssh.run(m.port(), "reboot");
    awaitBoots(m, 2);
    assertThat(log).containsExactly("start 1", "stop", "start 2");
  }

  private void awaitBoots(SimulatedMachine m, int boots) throws Exception {
    for (int i = 0; i < 200 && !(m.boots() >= boots && m.power() == SimulatedMachine.Power.ON); i++) {
      Thread.sleep(25);
    }
    assertThat(m.boots()).isEqualTo(boots);
    for (int i = 0; i < 100; i++) {
      try {
        ssh.run(m.port(), "machine-id");
        return;
      } catch (Exception e) {
        Thread.sleep(50);
      }
    }
  }
}
