package org.autopilot.provisioning.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.model.MachineFacts;

/**
 * Coverage-guided fuzzing of {@link RulesParser}, the reader of {@code machine-types.yaml} as
 * committed to the manifests repository. Seeds in
 * {@code src/test/resources/org/autopilot/provisioning/rules/RulesParserFuzzTestInputs/parse/}.
 *
 * <p>Properties, for any bytes: only {@link RulesException} escapes, its message naming the
 * file; accepted rules number at most {@link RulesParser#MAX_RULES}, have a machine type, unique
 * names, a line within the file, ports within 1..65535, bounds that do not run high to low; and
 * placing a machine with them never throws.
 */
class RulesParserFuzzTest {
  private static final String FILE = "machine-types.yaml";

  @FuzzTest
  @DictionaryEntries({"rules:", "- name: ", "match: ", "address: ", "ports: ", "cpus: ",
      "memory: ", "disks: ", "type: ", "unit: ", "rack: ", "10.0.0.0/8", "::1/128", "fd00::/64",
      "1-65535", ">= ", "<= ", "GiB", "TiB", "9223372036854775807", "&a", "*a", "{", "["})
  void parse(byte[] yaml) {
    MachineTypeRules rules;
    try {
      rules = RulesParser.parse(yaml, FILE);
    } catch (RulesException e) {
      assertThat(e.getMessage()).startsWith(FILE);
      assertThat(e.file()).isEqualTo(FILE);
      assertThat(e.line()).isNotNegative();
      return;
    }
    assertThat(rules.rules()).hasSizeLessThanOrEqualTo(RulesParser.MAX_RULES);
    Set<String> names = new HashSet<>();
    long lines = 1 + new String(yaml, java.nio.charset.StandardCharsets.UTF_8).lines().count();
    for (MachineTypeRules.Rule r : rules.rules()) {
      assertThat(r.machineType()).matches("[a-z0-9][a-z0-9-]{0,63}");
      if (r.name() != null) {
        assertThat(names.add(r.name())).as("unique %s", r.name()).isTrue();
      }
      assertThat((long) r.line()).isBetween(1L, lines);
      assertThat(r.match().ports()).allSatisfy(p -> {
        assertThat(p.from()).isBetween(1, p.to());
        assertThat(p.to()).isLessThanOrEqualTo(65535);
      });
      for (Match.Bounds b : new Match.Bounds[] {r.match().cpus(), r.match().memory()}) {
        if (b != null && b.min() != null && b.max() != null) {
          assertThat(b.min()).isLessThanOrEqualTo(b.max());
        }
      }
    }
    rules.place("10.0.1.7", 7301, new MachineFacts(8, 16L << 30, List.of("sda")));
    rules.place("fd00::1", 22, MachineFacts.UNKNOWN);
    rules.place("host.example", 22, null);
  }
}
