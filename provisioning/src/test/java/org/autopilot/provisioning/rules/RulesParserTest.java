package org.autopilot.provisioning.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.provisioning.discovery.Placement;
import org.junit.jupiter.api.Test;

class RulesParserTest {
  static final MachineFacts SMALL = new MachineFacts(4, 8L << 30, List.of("sda"));
  static final MachineFacts BIG = new MachineFacts(32, 256L << 30, List.of("sda", "sdb"));

  static MachineTypeRules parse(String yaml) throws RulesException {
    return RulesParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "machine-types.yaml");
  }

  static String error(String yaml) {
    try {
      parse(yaml);
    } catch (RulesException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + yaml);
  }

  @Test
  void theFirstMatchingRulePlacesAMachine() throws Exception {
    MachineTypeRules rules = parse("""
        # the lab
        rules:
          - name: big-db
            match:
              address: [10.0.1.0/24, 10.0.2.0/24]
              cpus: ">= 16"
              memory: ">= 128GiB"
              disks: [sda, sdb]
            type: db
            unit: su-1
            rack: r1
          - name: lab-ports
            match: {address: 127.0.0.1, ports: ["7301-7302", 7310]}
            type: db
            unit: su-2
          - type: web
            unit: su-3
        """);
    assertThat(rules.rules()).hasSize(3);
    assertThat(rules.place("10.0.1.7", 22, BIG)).contains(new Placement("db", "su-1", "r1",
        "machine-types.yaml:3 big-db"));
    assertThat(rules.place("10.0.1.7", 22, SMALL)).contains(new Placement("web", "su-3", null,
        "machine-types.yaml:16"));
    assertThat(rules.place("10.0.3.7", 22, BIG).orElseThrow().machineType()).isEqualTo("web");
    assertThat(rules.place("127.0.0.1", 7302, SMALL).orElseThrow().rule()).isEqualTo("machine-types.yaml:12 lab-ports");
    assertThat(rules.place("127.0.0.1", 7310, SMALL).orElseThrow().scaleUnit()).isEqualTo("su-2");
    assertThat(rules.place("127.0.0.1", 7303, SMALL).orElseThrow().scaleUnit()).isEqualTo("su-3");
  }

  @Test
  void boundsOfEveryForm() throws Exception {
    MachineTypeRules rules = parse("""
        rules:
          - {match: {cpus: "4"}, type: four}
          - {match: {cpus: "> 4", memory: "< 9GiB"}, type: more}
          - {match: {cpus: "8-16"}, type: mid}
          - {match: {memory: "<= 1024"}, type: tiny}
        """);
    assertThat(rules.place("h", 22, SMALL).orElseThrow().machineType()).isEqualTo("four");
    assertThat(rules.place("h", 22, new MachineFacts(5, 8L << 30, List.of())).orElseThrow().machineType())
        .isEqualTo("more");
    assertThat(rules.place("h", 22, new MachineFacts(12, 64L << 30, List.of())).orElseThrow().machineType())
        .isEqualTo("mid");
    assertThat(rules.place("h", 22, new MachineFacts(1, 1024, List.of())).orElseThrow().machineType())
        .isEqualTo("tiny");
    assertThat(rules.place("h", 22, new MachineFacts(64, 1L << 40, List.of()))).isEmpty();
  }

  @Test
  void anEmptyRuleListPlacesNothing() throws Exception {
    assertThat(parse("rules: []").place("h", 22, SMALL)).isEmpty();
    assertThat(parse("rules:").rules()).isEmpty();
  }

  @Test
  void mistakesAreRefusedWithFileLineAndColumn() {
    assertThat(error("""
        rules:
          - type: web
            colour: blue
        """)).isEqualTo("machine-types.yaml:3:5: unknown key 'colour' in a rule; known keys: "
            + "[match, name, rack, type, unit]");
    assertThat(error("""
        rules:
          - type: web
            type: db
        """)).startsWith("machine-types.yaml:3:5: ").contains("type");
    assertThat(error("""
        rules:
          - match: {cpus: 4}
            unit: su-1
        """)).isEqualTo("machine-types.yaml:2:5: the rule has no 'type'");
    assertThat(error("""
        rules:
          - match:
              address: 10.0.0.0/40
            type: web
        """)).isEqualTo("machine-types.yaml:3:16: address: '10.0.0.0/40': prefix length must be 0..32");
    assertThat(error("""
        rules:
          - match: {ports: [22, "9-3"]}
            type: web
        """)).startsWith("machine-types.yaml:2:25: ports: '9-3' is not a port");
    assertThat(error("""
        rules:
          - match: {cpus: "lots"}
            type: web
        """)).startsWith("machine-types.yaml:2:19: cpus: 'lots' is not a bound");
    assertThat(error("""
        rules:
          - match: {cpus: "4GiB"}
            type: web
        """)).startsWith("machine-types.yaml:2:19: cpus: '4GiB' is not a bound");
    assertThat(error("""
        rules:
          - type: Web_Servers
        """)).isEqualTo("machine-types.yaml:2:11: type must be a machine type name like web, not 'Web_Servers'");
    assertThat(error("""
        base: &b {type: web}
        rules: [*b]
        """)).isEqualTo("machine-types.yaml:1:7: YAML anchors and aliases (& and *) are not allowed");
    assertThat(error("rules: {type: web}")).isEqualTo("machine-types.yaml:1:8: 'rules' must be a list");
    assertThat(error("types: []")).startsWith("machine-types.yaml:1:1: unknown key 'types'");
    assertThat(error("")).isEqualTo("machine-types.yaml: the document is empty; it needs 'rules:'");
    assertThat(error("rules: [\n  - {type: web")).startsWith("machine-types.yaml:2:").contains("not valid YAML");
    assertThat(error("""
        rules:
          - {name: a, type: web}
          - {name: a, type: db}
        """)).isEqualTo("machine-types.yaml:3:5: rule name 'a' is used twice");
  }

  @Test
  void aRuleThatCannotMatchAHostNameNeverMatchesOne() throws Exception {
    MachineTypeRules rules = parse("rules: [{match: {address: 10.0.0.0/8}, type: web}]");
    assertThatThrownBy(() -> rules.place("example.com", 22, SMALL).orElseThrow())
        .isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void portRangesStayRangesHoweverManyRulesNameThem() throws Exception {
    // every "1-65535" used to become 65,535 boxed ports, so 1 MiB of rules could ask for
    // billions of them
    MachineTypeRules rules = parse("rules:\n"
        + "  - {match: {ports: [\"1-65535\", \"1-65535\"]}, type: web}\n".repeat(10_000));
    assertThat(rules.rules()).hasSize(10_000);
    assertThat(rules.place("10.0.0.1", 7301, SMALL).orElseThrow().machineType()).isEqualTo("web");
  }

  @Test
  void addressesAreLiteralsNeverNamesToLookUp() throws Exception {
    // "cafe", "dead.beef" used to reach InetAddress.getByName, which asks DNS
    for (String name : List.of("cafe", "dead.beef", "1.2.3", "010.0.0.1", "fe80::1%eth0")) {
      assertThat(error("rules: [{match: {address: '" + name + "'}, type: web}]"))
          .contains("is not an IP address or CIDR block");
    }
    MachineTypeRules rules = parse("rules: [{match: {address: ['0.0.0.0/0', '::/0']}, type: web}]");
    assertThat(rules.place("cafe", 22, SMALL)).isEmpty();
    assertThat(rules.place("10.1.2.3", 22, SMALL)).isPresent();
    assertThat(rules.place("fd00::1", 22, SMALL)).isPresent();
    assertThat(rules.place("::ffff:10.1.2.3", 22, SMALL)).isPresent();
  }

  @Test
  void deepNestingIsRefusedAtTheFirstLevelTooDeep() {
    // found while fuzzing (timing the seeds that slowed it): '[[[[...' was refused only by
    // SnakeYAML's composer after the event pass had scanned it all (6 s for 200 KB); now the
    // event pass stops at depth 33, saying where
    assertThat(error("rules: " + "[".repeat(100_000) + "]".repeat(100_000)))
        .startsWith("machine-types.yaml:1:").contains("nesting depth is more than 32");
  }
}
