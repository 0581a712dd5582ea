package org.autopilot.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.RepairAction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {
  @TempDir Path dir;

  @Test
  void aPolicyReadsBackAsItWasWritten() throws Exception {
    Path f = Files.writeString(dir.resolve("web.yaml"), """
        confirmReports: 2
        probation: 5m
        ladder: [Reboot, reimage, REPLACE]
        fatal:
          - {watchdog: disk, matches: "(?i)unrecoverable"}
        windows:
          - {cron: "0 0 2 * * ?", duration: 4h}
        breaker: {percent: 30}
        """);

    HealthPolicy p = PolicyFile.read(f);

    assertThat(p.confirmReports()).isEqualTo(2);
    assertThat(p.probation()).isEqualTo("5m");
    assertThat(p.ladder()).containsExactly(RepairAction.REBOOT, RepairAction.REIMAGE, RepairAction.REPLACE);
    assertThat(p.windows()).containsExactly(new HealthPolicy.Window("0 0 2 * * ?", "4h"));
    assertThat(p.breaker().percent()).isEqualTo(30);
    assertThat(p.breaker().minMachines()).isEqualTo(3);
    Path again = Files.writeString(dir.resolve("again.yaml"), PolicyFile.write(p));
    assertThat(PolicyFile.read(again)).isEqualTo(p);
    assertThat(PolicyFile.write(p)).contains("ladder:", "- Reboot", "actionTimeout: 15m");
  }

  @Test
  void anEmptyFileIsTheBuiltInPolicy() throws Exception {
    assertThat(PolicyFile.read(Files.writeString(dir.resolve("e.yaml"), "\n"))).isEqualTo(HealthPolicy.DEFAULT);
  }

  @Test
  void mistakesNameTheFileAndWhatIsWrong() throws Exception {
    for (List<String> bad : List.of(
        List.of("ladder: [Reboot, Reflash]\n", "unknown repair action 'Reflash'"),
        List.of("probation: 1y\n", "probation"),
        List.of("windows: [{cron: 'at two', duration: 1h}]\n", "not a Quartz cron expression"),
        List.of("confirmReport: 3\n", "confirmReport"))) {
      Path f = Files.writeString(dir.resolve("bad.yaml"), bad.get(0));
      assertThatThrownBy(() -> PolicyFile.read(f)).as(bad.get(0))
          .hasMessageContaining(f.toString()).hasMessageContaining(bad.get(1));
    }
  }
}
