package org.autopilot.provisioning;

import org.autopilot.appmanager.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.provisioning.rules.RulesSource;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machine types by the rules in {@code machine-types.yaml} of a real git repository: machines are
 * registered where the rules say, a commit that breaks the file leaves the last good rules in
 * force (and says where it is broken), a commit that changes them re-places machines still New.
 */
class MachineTypeRulesTest {
  static final Duration LIMIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  ProvisioningFleet lab;
  Git repo;

  @BeforeEach
  void setUp() throws Exception {
    lab = new ProvisioningFleet(dir, () -> MachineAgent.NONE);
    lab.accept(new DefineMachineType("web", null, "test"), new DefineMachineType("db", null, "test"),
        new DefineScaleUnit("su-1", "test"), new DefineScaleUnit("su-2", "test"));
    repo = Git.init().setDirectory(dir.resolve("manifests-repo").toFile()).setInitialBranch("main").call();
  }

  @AfterEach
  void tearDown() {
    repo.close();
    lab.close();
  }

  void commit(String rules, String message) throws Exception {
    Files.writeString(dir.resolve("manifests-repo/machine-types.yaml"), rules);
    repo.add().addFilepattern("machine-types.yaml").call();
    repo.commit().setMessage(message).setAuthor("ops", "ops@example.com").setCommitter("ops", "ops@example.com").call();
  }

  String rules(int dbFrom, int dbTo) {
    return """
        rules:
          - name: lab-db
            match:
              address: 127.0.0.1/32
              ports: ["%d-%d"]
              cpus: ">= 2"
              disks: [sda]
            type: db
            unit: su-1
            rack: r1
          - name: the-rest
            type: web
            unit: su-2
        """.formatted(lab.firstPort + dbFrom, lab.firstPort + dbTo);
  }

  @Test
  void machinesArePlacedByTheRulesInTheManifestsRepository() throws Exception {
    commit(rules(0, 1), "db on the first two ports");
    ProvisioningService s = lab.service(lab.config("prov-1").withRules(RulesSource.git(
        dir.resolve("manifests-repo").toString(), "main", "machine-types.yaml", dir.resolve("mirror")),
        Duration.ofMillis(200)));
    lab.add("m0", 0);
    lab.add("m1", 2);
    Await.until("two machines registered", LIMIT, () -> lab.machines().size() == 2);
    Machine m0 = lab.machine("m0");
    assertThat(m0.machineType()).isEqualTo("db");
    assertThat(m0.scaleUnit()).isEqualTo("su-1");
    assertThat(m0.rack()).isEqualTo("r1");
    Machine m1 = lab.machine("m1");
    assertThat(m1.machineType()).isEqualTo("web");
    assertThat(m1.scaleUnit()).isEqualTo("su-2");
    assertThat(m1.rack()).isNull();

    commit(rules(0, 1).replace("cpus: \">= 2\"", "cpus: \"plenty\""), "a mistake");
    Await.until("the broken commit reported", LIMIT, () -> s.rulesProblem() != null);
    assertThat(s.rulesProblem()).matches("machine-types\\.yaml@[0-9a-f]{12}:6:\\d+: cpus: 'plenty' is not a bound.*");
    lab.add("m2", 1);
    Await.until("m2 registered by the last good rules", LIMIT, () -> lab.machines().size() == 3);
    assertThat(lab.machine("m2").machineType()).isEqualTo("db");

    commit(rules(0, 2), "db on three ports");
    Await.until("m1, still New, re-placed", LIMIT, () -> "db".equals(lab.machine("m1").machineType()));
    assertThat(s.rulesProblem()).isNull();
    assertThat(lab.machine("m1").scaleUnit()).isEqualTo("su-1");
    MachinePlaced placed = lab.admin.events(0, 10_000).items().stream()
        .filter(e -> e instanceof MachinePlaced p && p.machine().equals(MachineId.of("m1")))
        .map(e -> (MachinePlaced) e).findFirst().orElseThrow();
    assertThat(placed.cause()).contains("placed by discovery: type db, unit su-1, rack r1",
        "machine-types.yaml@", "lab-db");
  }
}
