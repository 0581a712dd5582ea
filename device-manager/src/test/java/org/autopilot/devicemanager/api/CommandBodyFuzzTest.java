package org.autopilot.devicemanager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.Json;

/**
 * Coverage-guided fuzzing of the DM's command JSON ({@code POST /api/v1/commands}): the
 * polymorphic Jackson reading of {@link DmCommand} in {@link CommandBody}. Seeds in
 * {@code src/test/resources/org/autopilot/devicemanager/api/CommandBodyFuzzTestInputs/read/}.
 *
 * <p>Properties, for any body: only {@link ApiError} 400 escapes, with a message (never a 500);
 * an accepted body holds 1 to {@link DmApi#MAX_COMMANDS} commands, none null, and each command
 * written back as JSON reads to an equal command.
 */
class CommandBodyFuzzTest {

  @FuzzTest
  @DictionaryEntries({"\"type\":", "\"DefineMachineType\"", "\"RegisterMachine\"", "\"ChangeState\"",
      "\"ReportWatchdogs\"", "\"RegisterManifest\"", "\"SetHealthPolicy\"", "\"SetBudget\"",
      "\"machine\":", "\"machines\":", "\"manifest\":", "\"expectedVersion\":", "\"cause\":",
      "\"name\":", "\"to\":", "\"Healthy\"", "\"web@1\"", "\"m1\"", "NaN", "1e999",
      "9223372036854775808", "-1", "null", "[", "{"})
  void read(byte[] body) throws Exception {
    CommandBody.Read read;
    try {
      read = CommandBody.read(body);
    } catch (ApiError e) {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(read.commands()).isNotEmpty().hasSizeLessThanOrEqualTo(DmApi.MAX_COMMANDS)
        .doesNotContainNull();
    for (DmCommand c : read.commands()) {
      byte[] json = Json.mapper().writerFor(DmCommand.class).writeValueAsBytes(c);
      assertThat(Json.mapper().readValue(json, DmCommand.class)).as(new String(json)).isEqualTo(c);
    }
  }
}
