package org.autopilot.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.command.ReportWatchdogs;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's repair commands against a real DM. */
class RepairCommandTest {
  @TempDir Path dir;
  LocalCluster dm;
  DmClient admin;
  PrintStream out;
  ByteArrayOutputStream printed;

  @BeforeEach
  void setUp() throws Exception {
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    List<DmCommand> setup = new ArrayList<>(List.of(new DefineMachineType("web", "img-1", "t"),
        new DefineScaleUnit("su-1", "t"), new RegisterMachine(MachineId.of("m1"), "127.0.0.1:22",
            "SHA256:k", "web", "su-1", "r1", MachineFacts.UNKNOWN, "t")));
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      setup.add(new ChangeState(MachineId.of("m1"), 0, s, "t"));
    }
    setup.forEach(c -> assertThat(admin.send(c).accepted()).isTrue());
    out = System.out;
    printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void tearDown() {
    System.setOut(out);
    admin.close();
    dm.close();
  }

  /** Runs {@code autopilot repair ARGS} against the test DM; its exit code. */
  int repair(String... args) {
    List<String> all = new ArrayList<>(List.of("repair"));
    all.addAll(List.of(args));
    all.addAll(List.of("--dm", String.join(",", dm.apiUrls()), "--token", dm.token(Role.OPERATOR)));
    return Main.commandLine().execute(all.toArray(String[]::new));
  }

  String printed() {
    String s = printed.toString(StandardCharsets.UTF_8);
    printed.reset();
    return s;
  }

  @Test
  void anOperatorSetsAPolicySeesTheQueueAndTheLogAndSilencesAMachine() throws Exception {
    Path policy = Files.writeString(dir.resolve("web.yaml"), "ladder: [Reboot, Replace]\nprobation: 5m\n");
    assertThat(repair("policy", "set", policy.toString(), "--type", "web")).isZero();
    assertThat(repair("policy", "show", "web")).isZero();
    assertThat(printed()).contains("# web: its own policy", "probation: 5m", "- Reboot", "- Replace");

    for (int n = 1; n <= 3; n++) {
      assertThat(admin.send(new ReportWatchdogs(List.of(new ReportWatchdogs.MachineReport(MachineId.of("m1"),
          List.of(new ReportWatchdogs.Verdict("disk", Health.ERROR, "sda slow", n)))), "t")).accepted()).isTrue();
    }
    assertThat(repair("queue")).isZero();
    assertThat(printed()).contains("m1", "Failure", "Reboot", "Waiting", "why: 1st failure within 24h");
    assertThat(repair("log", "--machine", "m1")).isZero();
    assertThat(printed()).contains("confirmed", "Failure: disk: sda slow", "chose");

    assertThat(repair("silence", "m1", "--for", "1h", "--cause", "disk swap planned")).isZero();
    assertThat(repair("queue")).isZero();
    assertThat(printed()).contains("held: silenced until");
    assertThat(repair("incidents")).isZero();
    assertThat(printed()).contains("no incidents");
  }

  @Test
  void refusedCommandsExitWithTwo() {
    assertThat(repair("resolve", "99")).isEqualTo(2);
    assertThat(repair("replaced", "m1")).as("m1 is Healthy, not Replace").isEqualTo(2);
    assertThat(repair("policy", "clear", "nosuchtype")).isEqualTo(2);
  }
}
