package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.watchdogs.service.ReportParser.BadReport;
import org.autopilot.watchdogs.service.ReportParser.IntakeReport;

/**
 * Coverage-guided fuzzing of {@link ReportParser}, which reads the JSON reports machines post to
 * the watchdog service. Seeds in
 * {@code src/test/resources/org/autopilot/watchdogs/service/ReportParserFuzzTestInputs/parse/}.
 *
 * <p>Properties, for any body: only {@link BadReport} escapes, with a message; an accepted
 * report has at most {@link ReportParser#MAX_WATCHDOGS} verdicts, names valid, unique and not
 * reserved, a status, one-line text of at most {@link WatchdogState#MAX_TEXT} characters and a
 * count of at least 1; written back as JSON it reads to an equal report.
 */
class ReportParserFuzzTest {

  @FuzzTest
  @DictionaryEntries({"{\"machine\":", "\"watchdogs\":", "\"watchdog\":", "\"status\":", "\"text\":",
      "\"consecutive\":", "\"perfData\":", "\"label\":", "\"value\":", "\"uom\":", "\"warn\":",
      "\"crit\":", "\"min\":", "\"max\":", "\"start\":", "\"end\":", "\"inside\":", "\"OK\"",
      "\"Warning\"", "\"Error\"", "\"Unknown\"", "\"Infinity\"", "NaN", "2147483648", "1e999",
      "\"heartbeat\"", "null", "true", "[", "]", "{", "}"})
  void parse(byte[] body) throws Exception {
    IntakeReport r;
    try {
      r = ReportParser.parse(body);
    } catch (BadReport e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(r.machine()).isNotNull();
    assertThat(r.watchdogs()).hasSizeLessThanOrEqualTo(ReportParser.MAX_WATCHDOGS);
    Set<String> names = new HashSet<>();
    List<Map<String, Object>> written = new ArrayList<>();
    for (Verdict v : r.watchdogs()) {
      assertThat(ReportParser.validName(v.watchdog())).as(v.watchdog()).isTrue();
      assertThat(names.add(v.watchdog())).as("unique %s", v.watchdog()).isTrue();
      assertThat(ReportParser.RESERVED).doesNotContain(v.watchdog());
      assertThat(v.status()).isNotNull();
      assertThat(v.text()).hasSizeLessThanOrEqualTo(WatchdogState.MAX_TEXT);
      assertThat(v.text().chars().noneMatch(c -> c < 0x20 && c != '\t' || c == 0x7f))
          .as("one printable line").isTrue();
      assertThat(v.consecutive()).isPositive();
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("watchdog", v.watchdog());
      w.put("status", v.status().label());
      w.put("text", v.text());
      w.put("consecutive", v.consecutive());
      written.add(w);
    }
    byte[] again = Json.mapper().writeValueAsBytes(
        Map.of("machine", r.machine().value(), "watchdogs", written));
    assertThat(ReportParser.parse(again)).isEqualTo(r);
  }
}
