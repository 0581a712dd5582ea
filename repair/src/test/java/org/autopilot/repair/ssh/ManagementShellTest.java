package org.autopilot.repair.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSH side of a repair, against simulated machines on loopback. */
class ManagementShellTest {
  @TempDir Path dir;
  SimulatedFleet fleet;
  SimulatedMachine m;
  ManagementShell shell;

  @BeforeEach
  void setUp() throws Exception {
    KeyPair operator = OperatorKey.loadOrCreate(dir.resolve("operator_key"));
    fleet = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()), () -> MachineAgent.NONE,
        Duration.ofMillis(300));
    m = fleet.add("m1", 0);
    shell = new ManagementShell("root", ManagementShell.loadIdentity(dir.resolve("operator_key")),
        Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  @AfterEach
  void tearDown() {
    shell.close();
    fleet.close();
  }

  String address() {
    return "127.0.0.1:" + m.port();
  }

  @Test
  void theExitStatusAndTheFirstOutputComeBack() {
    ManagementShell.Outcome ok = shell.run(address(), m.hostKeyFingerprint(), "machine-id");
    ManagementShell.Outcome bad = shell.run(address(), m.hostKeyFingerprint(),
        "echo disk busy; echo and stderr >&2; exit 3");
    ManagementShell.Outcome chatty = shell.run(address(), m.hostKeyFingerprint(),
        "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done; exit 1");

    assertThat(ok).isEqualTo(new ManagementShell.Outcome(true, "exit 0: m1"));
    assertThat(bad.succeeded()).isFalse();
    assertThat(bad.detail()).startsWith("exit 3: disk busy").contains("and stderr");
    assertThat(chatty.detail()).startsWith("exit 1: line-0").contains("bytes of output]");
    assertThat(chatty.detail().length()).isLessThan(600);
  }

  @Test
  void aCommandThatRunsTooLongIsCutOff() {
    ManagementShell.Outcome o = shell.run(address(), m.hostKeyFingerprint(), "echo started; sleep 20");

    assertThat(o.succeeded()).isFalse();
    assertThat(o.detail()).startsWith("timed out after 2 s");
  }

  @Test
  void aHostKeyThatDoesNotMatchEndsTheSessionBeforeTheCommandIsSent() throws Exception {
    String other = KeyUtils.getFingerPrint(
        KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256).getPublic());

    ManagementShell.Outcome o = shell.run(address(), other, "touch was-here");
    ManagementShell.Outcome none = shell.run(address(), null, "touch was-here");

    assertThat(o.succeeded()).isFalse();
    assertThat(o.detail()).startsWith("host key mismatch").contains(other, m.hostKeyFingerprint());
    assertThat(none.detail()).startsWith("host key mismatch").contains("no key");
    assertThat(m.disk().resolve("was-here")).doesNotExist();
  }

  @Test
  void aKeyTheMachineDoesNotKnowCannotLogIn() throws Exception {
    KeyPair stranger = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    try (ManagementShell s = new ManagementShell("root", stranger, Duration.ofSeconds(5), Duration.ofSeconds(2))) {
      ManagementShell.Outcome o = s.run(address(), m.hostKeyFingerprint(), "touch was-here");

      assertThat(o.succeeded()).isFalse();
      assertThat(o.detail()).startsWith("login to " + address() + " as root failed");
    }
    assertThat(m.disk().resolve("was-here")).doesNotExist();
  }

  @Test
  void anUnreachableOrMalformedAddressIsAnOutcomeNotAnException() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }

    assertThat(shell.run("127.0.0.1:" + closed, "SHA256:x", "reboot").detail())
        .startsWith("cannot connect to 127.0.0.1:" + closed);
    assertThat(shell.run("127.0.0.1:http", "SHA256:x", "reboot").detail()).contains("no valid port");
    assertThat(shell.run(null, "SHA256:x", "reboot").detail()).contains("no address");
  }

  @Test
  void addressesAreHostAndPortWithPort22AsDefault() {
    assertThat(ManagementShell.parse("10.0.0.1").getPort()).isEqualTo(22);
    assertThat(ManagementShell.parse("10.0.0.1:2222").getPort()).isEqualTo(2222);
    assertThat(ManagementShell.parse("[fe80::1]:2200").getHostName()).isEqualTo("fe80::1");
    assertThat(ManagementShell.parse("[fe80::1]").getPort()).isEqualTo(22);
    assertThat(ManagementShell.parse("fe80::1").getHostName()).isEqualTo("fe80::1");
    assertThatThrownBy(() -> ManagementShell.parse(":22")).hasMessageContaining("no host");
  }

  @Test
  void aPrivateKeyFileIsRead() throws Exception {
    Path none = Files.writeString(dir.resolve("empty"), "");
    assertThatThrownBy(() -> ManagementShell.loadIdentity(none)).hasMessageContaining("empty");
  }
}
