package org.autopilot.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.tls.ThrowawayCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI against a DM serving HTTPS: {@code --ca}, and {@code dm --tls-cert/--tls-key} refusing a bad key. */
class TlsCommandTest {
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      int exit = cl.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  @Test
  void statusOverHttpsWithTheCaAndARefusalWithout() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "cli-test-ca");
    try (LocalCluster dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system(),
        ca.issue("dm").pemSettings()).start()) {
      dm.leader(10_000).orElseThrow();
      String url = dm.apiUrls().get(0);
      Run ok = run("status", "--dm", url, "--token", dm.token(Role.VIEWER), "--ca", ca.caFile().toString());
      assertThat(ok.exit()).as(ok.err()).isZero();
      assertThat(ok.out()).contains("leader API: https://127.0.0.1:");

      Path missing = dir.resolve("no-ca.pem");
      Run bad = run("status", "--dm", url, "--token", dm.token(Role.VIEWER), "--ca", missing.toString());
      assertThat(bad.exit()).isEqualTo(1);
      assertThat(bad.err()).contains("--ca " + missing + ": no such file");
    }
  }

  @Test
  void aReplicaGivenAKeyThatIsNotAKeyDoesNotStartAndSaysWhichFile() throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "cli-test-ca");
    ThrowawayCa.Issued cert = ca.issue("dm");
    Path yaml = Files.writeString(dir.resolve("dm.yaml"), """
        id: dm1
        dataDir: data
        peers:
          dm1: {raft: "127.0.0.1:%d", api: "https://127.0.0.1:%d"}
        tokens:
          - {name: a, role: admin, sha256: %s}
        """.formatted(LocalCluster.freePort(), LocalCluster.freePort(), "ab".repeat(32)));
    Run r = run("dm", "--config", yaml.toString(), "--tls-cert", cert.chain().toString(),
        "--tls-key", ca.caFile().toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("tls.privateKey " + ca.caFile() + ": no private key");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
