package org.autopilot.cockpit.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.MarkReplaced;
import org.autopilot.devicemanager.command.ResolveIncident;
import org.autopilot.devicemanager.command.SilenceMachine;
import org.autopilot.devicemanager.command.SteerRollout;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision;
import org.autopilot.devicemanager.model.MachineId;
import org.junit.jupiter.api.Test;

/** Each action is one DM command; bad input and the DM's refusals come back as words. */
class OperatorActionsTest {
  @Test
  void eachActionIsOneCommand() {
    assertThat(OperatorActions.command(ActionKind.ABORT, "web", null, "bad v2"))
        .isEqualTo(new SteerRollout("web", SteerRollout.Action.ABORT, "bad v2"));
    assertThat(OperatorActions.command(ActionKind.KICK, "web", null, "x"))
        .isEqualTo(new SteerRollout("web", SteerRollout.Action.KICK, "x"));
    assertThat(OperatorActions.command(ActionKind.SILENCE, "sim-01", "15m", "x"))
        .isEqualTo(new SilenceMachine(MachineId.of("sim-01"), 900_000, "x"));
    assertThat(OperatorActions.command(ActionKind.UNSILENCE, "sim-01", null, "x"))
        .isEqualTo(new SilenceMachine(MachineId.of("sim-01"), 0, "x"));
    assertThat(OperatorActions.command(ActionKind.REPLACED, "sim-05", null, "RMA-9"))
        .isEqualTo(new MarkReplaced(MachineId.of("sim-05"), "RMA-9"));
    assertThat(OperatorActions.command(ActionKind.RESOLVE, "412", null, "switch fixed"))
        .isEqualTo(new ResolveIncident(412, "switch fixed"));
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() {
    assertThatThrownBy(() -> OperatorActions.command(ActionKind.SILENCE, "sim-01", "40d", "x"))
        .hasMessageContaining("at most 30d");
    assertThatThrownBy(() -> OperatorActions.command(ActionKind.RESOLVE, "abc", null, "x"))
        .hasMessageContaining("not a number");
    List<DmCommand> sent = new ArrayList<>();
    OperatorActions actions = new OperatorActions((user, c) -> {
      sent.add(c);
      return new CommandResult(true, 7, null, null, List.of());
    });
    assertThat(actions.perform("alice", ActionKind.SILENCE, "", null, null).ok()).isFalse();
    assertThat(actions.perform("alice", ActionKind.PAUSE, "web", null, "x".repeat(501)).message())
        .contains("longer than 500");
    assertThat(sent).isEmpty();
    assertThat(new OperatorActions(null).perform("alice", ActionKind.PAUSE, "web", null, null).message())
        .contains("no Device Manager configured");
  }

  @Test
  void theDmsAnswerIsWhatTheOperatorReads() {
    OperatorActions refusing = new OperatorActions((user, c) -> new CommandResult(false, 0,
        Decision.Rejection.CONFLICT, "rollout of web@2 is SUCCEEDED", List.of()));
    OperatorActions.Outcome o = refusing.perform("alice", ActionKind.PAUSE, "web", null, null);
    assertThat(o.ok()).isFalse();
    assertThat(o.message()).contains("refused by the DM", "CONFLICT", "rollout of web@2 is SUCCEEDED");
    OperatorActions down = new OperatorActions((user, c) -> {
      throw new IllegalStateException("connection refused");
    });
    assertThat(down.perform("alice", ActionKind.PAUSE, "web", null, null).message())
        .contains("failed: connection refused");
    OperatorActions ok = new OperatorActions((user, c) -> new CommandResult(true, 42, null, null, List.of()));
    assertThat(ok.perform("alice", ActionKind.RESUME, "web", null, null))
        .isEqualTo(new OperatorActions.Outcome(true, "Resume rollout web: done (DM revision 42, recorded as yours)", 42));
  }
}
