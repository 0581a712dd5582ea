package org.autopilot.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.autopilot.devicemanager.model.RepairAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairConfigTest {
  @TempDir Path dir;

  Path write(String yaml) throws Exception {
    Files.writeString(dir.resolve("dm-token"), "s3cret\n");
    return Files.writeString(dir.resolve("repair.yaml"), yaml);
  }

  @Test
  void everyKeyIsReadAndFilesAreRelativeToTheConfig() throws Exception {
    RepairConfig c = RepairConfig.load(write("""
        holder: repair-1
        dmUrls: [http://10.0.0.1:7101/api/v1, http://10.0.0.2:7101/api/v1]
        dmTokenFile: dm-token
        sshUser: ops
        sshPrivateKey: keys/operator_key
        sshConnectTimeout: 3s
        sshCommandTimeout: 20m
        commands:
          default: {Reboot: "ipmitool -H bmc-{machine} chassis power cycle"}
          db: {Reimage: "pxe-reinstall {machine} {image}"}
        runCron: "0 * * * * ?"
        leaseTtl: 30s
        parallelism: 8
        shutdownGrace: 2m
        """));

    assertThat(c.holder()).isEqualTo("repair-1");
    assertThat(c.dmUrls()).hasSize(2);
    assertThat(c.dmToken()).isEqualTo("s3cret");
    assertThat(c.sshUser()).isEqualTo("ops");
    assertThat(c.sshPrivateKey()).isEqualTo(dir.resolve("keys/operator_key"));
    assertThat(c.sshConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.sshCommandTimeout()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.commands().template("db", RepairAction.REIMAGE)).isEqualTo("pxe-reinstall {machine} {image}");
    assertThat(c.commands().template("db", RepairAction.REBOOT)).startsWith("ipmitool");
    assertThat(c.runCron()).isEqualTo("0 * * * * ?");
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.parallelism()).isEqualTo(8);
    assertThat(c.shutdownGrace()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void theDefaultsNeedOnlyWhoAndWhere() throws Exception {
    RepairConfig c = RepairConfig.load(write("""
        holder: repair-1
        dmUrls: [http://127.0.0.1:7101/api/v1]
        dmTokenFile: dm-token
        sshPrivateKey: operator_key
        """));

    assertThat(c.sshUser()).isEqualTo("root");
    assertThat(c.runCron()).isEqualTo("0/10 * * * * ?");
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.parallelism()).isEqualTo(4);
    assertThat(c.commands().template("web", RepairAction.REIMAGE)).isEqualTo("reimage {image}");
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws Exception {
    String base = "holder: repair-1\ndmUrls: [http://h/api/v1]\ndmTokenFile: dm-token\nsshPrivateKey: k\n";
    for (var bad : List.of(
        List.of(base + "paralelism: 3\n", "paralelism"),
        List.of(base + "runCron: every minute\n", "runCron"),
        List.of(base + "leaseTtl: 1h\n", "leaseTtl"),
        List.of(base + "sshCommandTimeout: soon\n", "sshCommandTimeout"),
        List.of(base + "commands: {web: {Reboot: 'reboot {nope}'}}\n", "commands.web.Reboot"),
        List.of(base.replace("holder: repair-1\n", ""), "holder"),
        List.of(base.replace("dmTokenFile: dm-token", "dmTokenFile: missing"), "dmTokenFile"))) {
      Path f = write(bad.get(0));
      assertThatThrownBy(() -> RepairConfig.load(f)).as(bad.get(1))
          .hasMessageContaining(f.toString()).hasMessageContaining(bad.get(1));
    }
  }
}
