package org.autopilot.watchdogs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link NagiosOutput}, which reads whatever a watchdog plugin prints.
 * The first input byte is the exit status (signed, so -128..127), the rest the output. Seeds in
 * {@code src/test/resources/org/autopilot/watchdogs/NagiosOutputFuzzTestInputs/parse/}.
 *
 * <p>Properties, for any exit status and bytes: it never throws; the status comes from the exit
 * status alone; the text is one line without {@code |}, and text and long text fit in the
 * {@link NagiosOutput#MAX_OUTPUT} cap; cut output and an exit status outside 0-3 are named as
 * problems; every perfdata item kept has a label of 1..200 characters, a known unit, a number
 * (or U) and ranges that do not run high to low.
 */
class NagiosOutputFuzzTest {
  private static final java.util.Set<String> UNITS =
      java.util.Set.of("", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c");

  @FuzzTest
  @DictionaryEntries({"|", "=", ";", "'", "''", "@", "~:", ":", "U", "ms", "%", "KB", "1e308",
      "-0.5", "OK - ", "CRITICAL - "})
  void parse(byte[] input) {
    int exit = input.length == 0 ? 0 : input[0];
    byte[] output = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
    WatchdogResult r = NagiosOutput.parse(exit, output);

    assertThat(r.status()).isEqualTo(NagiosOutput.status(exit));
    assertThat(r.text()).doesNotContain("\n").doesNotContain("|");
    assertThat(r.text().length()).isLessThanOrEqualTo(NagiosOutput.MAX_OUTPUT);
    assertThat(r.longText().length()).isLessThanOrEqualTo(NagiosOutput.MAX_OUTPUT);
    if (output.length > NagiosOutput.MAX_OUTPUT) {
      assertThat(r.problems()).anyMatch(p -> p.startsWith("output cut at "));
    }
    if (exit < 0 || exit > 3) {
      assertThat(r.problems()).anyMatch(p -> p.contains("is not 0-3"));
    }
    if (r.text().isEmpty()) {
      assertThat(r.problems()).contains("line 1: no status text");
    }
    assertThat(r.problems()).allSatisfy(p -> assertThat(p).isNotBlank());
    for (PerfData p : r.perfData()) {
      assertThat(p.label()).isNotEmpty().hasSizeLessThanOrEqualTo(200);
      assertThat(UNITS).contains(p.uom());
      if (p.value() != null) {
        assertThat(p.value()).isNotNaN();
      }
      for (Range range : new Range[] {p.warn(), p.crit()}) {
        if (range != null) {
          assertThat(range.start()).isLessThanOrEqualTo(range.end());
          assertThat(Range.parse(range.format())).isEqualTo(range);
        }
      }
    }
  }
}
