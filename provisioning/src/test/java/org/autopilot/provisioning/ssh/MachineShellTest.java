package org.autopilot.provisioning.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.provisioning.ssh.MachineShell.Failure;
import org.autopilot.provisioning.ssh.MachineShell.ShellException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real SSH to a simulated machine: observing and pinned sessions, login, commands. */
class MachineShellTest {
  @TempDir Path dir;
  SimulatedFleet fleet;
  SimulatedMachine sim;
  MachineShell shell;
  String address;

  @BeforeEach
  void setUp() throws Exception {
    KeyPair operator = OperatorKey.loadOrCreate(dir.resolve("operator_key"));
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()), () -> MachineAgent.NONE,
        Duration.ofMillis(100));
    sim = fleet.add("m1", 0);
    address = "127.0.0.1:" + sim.port();
    shell = new MachineShell("root", MachineShell.loadIdentity(dir.resolve("operator_key")), Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() {
    shell.close();
    fleet.close();
  }

  @Test
  void anObservingSessionReportsTheKeyAndRunsCommands() throws Exception {
    try (MachineShell.Session s = shell.open(address, null)) {
      assertThat(s.hostKey()).isEqualTo(sim.hostKeyFingerprint());
      assertThat(s.exec("machine-id", Duration.ofSeconds(5)).out().strip()).isEqualTo("m1");
      MachineShell.Result r = s.exec("echo hello > f && cat f && exit 3", Duration.ofSeconds(5));
      assertThat(r.exit()).isEqualTo(3);
      assertThat(r.out()).isEqualTo("hello\n");
      assertThat(r.describe()).isEqualTo("exit 3: hello");
    }
    assertThat(Files.readString(sim.disk().resolve("f"))).isEqualTo("hello\n");
  }

  @Test
  void aPinnedSessionToAnotherKeyEndsBeforeAnythingIsSent() {
    String wrong = "SHA256:" + "A".repeat(43);
    assertThatThrownBy(() -> shell.open(address, wrong))
        .isInstanceOfSatisfying(ShellException.class, e -> {
          assertThat(e.failure()).isEqualTo(Failure.HOST_KEY_MISMATCH);
          assertThat(e.presentedKey()).isEqualTo(sim.hostKeyFingerprint());
          assertThat(e.getMessage()).contains(wrong, sim.hostKeyFingerprint(), "nothing was sent");
        });
  }

  @Test
  void theRightPinLogsIn() throws Exception {
    try (MachineShell.Session s = shell.open(address, sim.hostKeyFingerprint())) {
      assertThat(s.exec("true", Duration.ofSeconds(5)).ok()).isTrue();
    }
  }

  @Test
  void anUnknownKeyIsRefusedAndNothingAnswersIsUnreachable() throws Exception {
    KeyPair stranger = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    try (MachineShell other = new MachineShell("root", stranger, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> other.open(address, null))
          .isInstanceOfSatisfying(ShellException.class, e -> {
            assertThat(e.failure()).isEqualTo(Failure.LOGIN_REFUSED);
            assertThat(e.presentedKey()).isEqualTo(sim.hostKeyFingerprint());
          });
    }
    sim.powerOff();
    assertThatThrownBy(() -> shell.open(address, null))
        .isInstanceOfSatisfying(ShellException.class, e -> assertThat(e.failure()).isEqualTo(Failure.UNREACHABLE));
    assertThatThrownBy(() -> shell.open("127.0.0.1:notaport", null)).hasMessageContaining("no valid port");
  }
}
