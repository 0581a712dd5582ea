package org.autopilot.watchdogs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.autopilot.devicemanager.model.Health;
import org.junit.jupiter.api.Test;

class NagiosOutputTest {
  static WatchdogResult parse(int exit, String out) {
    return NagiosOutput.parse(exit, out.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theStatusComesFromTheExitStatusOnly() {
    assertThat(parse(0, "CRITICAL - says the text").status()).isEqualTo(Health.OK);
    assertThat(parse(1, "x").status()).isEqualTo(Health.WARNING);
    assertThat(parse(2, "x").status()).isEqualTo(Health.ERROR);
    assertThat(parse(3, "x").status()).isEqualTo(Health.UNKNOWN);
    WatchdogResult odd = parse(7, "x");
    assertThat(odd.status()).isEqualTo(Health.UNKNOWN);
    assertThat(odd.problems()).singleElement().asString().contains("exit status 7");
  }

  @Test
  void readsTheFullProtocolWithLongTextAndSecondPerfdata() {
    WatchdogResult r = parse(1, """
        DISK WARNING - free space: / 3326 MB (56%) | /=2643MB;5948;5958;0;5968
        / 15272 MB (77%);
        /boot 68 MB (69%); | /boot=68MB;88;93;0;98
        /home=69357MB;253404;253409;0;253414
        'var log'=818MB;970;975;0;980
        """);
    assertThat(r.text()).isEqualTo("DISK WARNING - free space: / 3326 MB (56%)");
    assertThat(r.longText()).isEqualTo("/ 15272 MB (77%);\n/boot 68 MB (69%);");
    assertThat(r.perfData()).extracting(PerfData::label).containsExactly("/", "/boot", "/home", "var log");
    PerfData root = r.perfData().get(0);
    assertThat(root.value()).isEqualTo(2643.0);
    assertThat(root.uom()).isEqualTo("MB");
    assertThat(root.warn()).isEqualTo(new Range(0, 5948, false));
    assertThat(root.max()).isEqualTo(5968.0);
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void thresholdRangesFollowThePluginGuidelines() {
    assertThat(Range.parse("10").alerts(11)).isTrue();
    assertThat(Range.parse("10").alerts(-1)).isTrue();
    assertThat(Range.parse("10").alerts(5)).isFalse();
    assertThat(Range.parse("10:").alerts(9)).isTrue();
    assertThat(Range.parse("~:10").alerts(-100)).isFalse();
    assertThat(Range.parse("~:10").alerts(11)).isTrue();
    assertThat(Range.parse("10:20").alerts(15)).isFalse();
    assertThat(Range.parse("@10:20").alerts(15)).isTrue();
    assertThat(Range.parse("@10:20").alerts(25)).isFalse();
    for (String r : java.util.List.of("10", "10:", "~:10", "10:20", "@10:20", "-5:2.5", "@0:")) {
      assertThat(Range.parse(r).format()).as("written back").isEqualTo(r);
    }
  }

  @Test
  void badPerfdataIsNotedWithWhereAndTheRestIsKept() {
    WatchdogResult r = parse(0, "OK | good=1s;2;3 bad=abc time=5xyz range=1;5:2\nmore | 'open=1\n");
    assertThat(r.status()).isEqualTo(Health.OK);
    assertThat(r.perfData()).extracting(PerfData::label).containsExactly("good");
    assertThat(r.problems()).hasSize(4);
    assertThat(r.problems().get(0)).startsWith("line 1: perfdata 'bad=abc'").contains("not a number");
    assertThat(r.problems().get(1)).contains("unknown unit 'xyz'");
    assertThat(r.problems().get(2)).contains("starts above its end");
    assertThat(r.problems().get(3)).startsWith("line 2: perfdata ''open=1'").contains("unbalanced");
    assertThat(parse(0, "OK | u=U").perfData().get(0).value()).isNull();
  }

  @Test
  void emptyHugeAndBinaryOutputIsHandled() {
    assertThat(parse(0, "").problems()).contains("line 1: no status text");
    WatchdogResult big = NagiosOutput.parse(2, ("X".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
    assertThat(big.status()).isEqualTo(Health.ERROR);
    assertThat(big.text()).hasSize(NagiosOutput.MAX_OUTPUT);
    assertThat(big.problems()).anyMatch(p -> p.startsWith("output cut at 8192"));
    byte[] junk = new byte[300];
    new java.util.Random(1).nextBytes(junk);
    assertThat(NagiosOutput.parse(0, junk).status()).isEqualTo(Health.OK);
  }
}
