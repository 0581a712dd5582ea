package org.autopilot.provisioning.imaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.provisioning.ImagingSettings;
import org.autopilot.provisioning.imaging.ImagingPlan.Kind;
import org.junit.jupiter.api.Test;

/** The imaging plan as a script: given what the DM recorded and the machine shows, the next step. */
class ImagingPlanTest {
  static final String IMG = "a".repeat(64);
  static final String CONF = "c".repeat(64);
  static final ImagingSettings S = ImagingSettings.defaults(List.of(URI.create("http://d1:7401")), "00".repeat(32))
      .withBounds(3, Duration.ofMinutes(2), Duration.ofMinutes(1), Duration.ofMinutes(10));
  static final Probe BARE = new Probe(true, null, false, "", "", "");
  static final Probe REIMAGED = new Probe(true, null, false, IMG, "", "");
  static final Probe UNPACKED = new Probe(true, null, false, IMG, IMG, "");
  static final Probe CONFIGURED = new Probe(true, null, false, IMG, IMG, CONF);

  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  Machine m = Machine.discovered(MachineId.of("m1"), "10.0.0.1:22", "SHA256:k", "web", "su-1", null,
      MachineFacts.UNKNOWN, now, 1);
  long rev = 1;

  ImagingPlanTest step(String name, String detail) {
    rev++;
    m = m.withProvisioningStep(new ProvisioningStep(name, detail, now, "p1", 1, rev), rev);
    return this;
  }

  ImagingPlanTest state(LifecycleState s) {
    m = m.withState(s, now, ++rev, "test");
    return this;
  }

  ImagingPlanTest after(Duration d) {
    now = now.plus(d);
    return this;
  }

  ImagingPlan.Step next(Probe p) {
    return next(p, false);
  }

  ImagingPlan.Step next(Probe p, boolean agentUp) {
    return ImagingPlan.next(m, IMG, p, agentUp, CONF, now, S);
  }

  @Test
  void aNewMachineBeginsOnlyWithATypeAnImageAndItsPinnedKey() {
    assertThat(next(BARE).kind()).isEqualTo(Kind.BEGIN);
    assertThat(ImagingPlan.next(m, null, BARE, false, CONF, now, S).detail()).isEqualTo("its type web has no image");
    Machine untyped = m.withPlacement(null, null, null, 9);
    assertThat(ImagingPlan.next(untyped, IMG, BARE, false, CONF, now, S).kind()).isEqualTo(Kind.HOLD);
    ImagingPlan.Step mismatch = next(Probe.unreachable("host key mismatch at 10.0.0.1:22", true));
    assertThat(mismatch.kind()).isEqualTo(Kind.HOLD);
    assertThat(mismatch.detail()).contains("host key mismatch");
    step(Round.BEGIN, "image");
    assertThat(next(BARE).kind()).as("begun, not yet moved").isEqualTo(Kind.START);
  }

  @Test
  void theWholeWayThroughImaging() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING);
    assertThat(next(BARE).kind()).isEqualTo(Kind.REIMAGE);
    step(Round.REIMAGE, "");
    assertThat(next(BARE).kind()).as("rebooting").isEqualTo(Kind.WAIT);
    assertThat(next(Probe.unreachable("refused", false)).kind()).isEqualTo(Kind.WAIT);
    assertThat(next(REIMAGED).kind()).isEqualTo(Kind.INSTALL);
    step(Round.INSTALLED, "");
    assertThat(next(UNPACKED).kind()).isEqualTo(Kind.CONFIGURE);
    step(Round.CONFIGURED, "");
    assertThat(next(CONFIGURED).kind()).isEqualTo(Kind.RESTART);
    step(Round.RESTART, "");
    assertThat(next(CONFIGURED).kind()).isEqualTo(Kind.WAIT);
    assertThat(next(CONFIGURED, true).kind()).isEqualTo(Kind.DONE);
  }

  @Test
  void aRoundStartsFromACleanDiskWhateverTheMachineShowsFromBefore() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING);
    ImagingPlan.Step first = next(CONFIGURED);
    assertThat(first.kind()).isEqualTo(Kind.REIMAGE);
    assertThat(first.detail()).contains("a round starts from a clean disk");
  }

  @Test
  void aNewLeaderDoesNotRepeatWhatTheMachineAlreadyShows() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING).step(Round.REIMAGE, "");
    after(Duration.ofMinutes(10));
    assertThat(next(REIMAGED).kind()).as("the reimage took: go on").isEqualTo(Kind.INSTALL);
    assertThat(next(CONFIGURED).kind()).as("all there but never restarted").isEqualTo(Kind.RESTART);
  }

  @Test
  void reimagesRestartsAndFailuresAreBounded() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING);
    for (int i = 0; i < 3; i++) {
      assertThat(next(BARE).kind()).isEqualTo(Kind.REIMAGE);
      step(Round.REIMAGE, "");
      after(Duration.ofMinutes(2));
    }
    ImagingPlan.Step fail = next(BARE);
    assertThat(fail.kind()).isEqualTo(Kind.FAIL);
    assertThat(fail.detail()).contains("did not come back with image " + IMG + " after 3 reimages");

    step(Round.BEGIN, "").step(Round.REIMAGE, "");
    for (int i = 0; i < 3; i++) {
      assertThat(next(REIMAGED).kind()).isEqualTo(Kind.INSTALL);
      step(Round.ATTEMPT_FAILED, "curl: (22) 404 #" + i);
    }
    assertThat(next(REIMAGED).detail()).isEqualTo("3 attempts failed; the last: curl: (22) 404 #2");

    step(Round.BEGIN, "").step(Round.REIMAGE, "").step(Round.INSTALLED, "").step(Round.CONFIGURED, "");
    for (int i = 0; i < 3; i++) {
      assertThat(next(CONFIGURED).kind()).isEqualTo(Kind.RESTART);
      step(Round.RESTART, "");
      after(Duration.ofMinutes(1));
    }
    assertThat(next(CONFIGURED).detail()).contains("the agent did not report within 1m of any of 3 restarts");
  }

  @Test
  void anUnreachableMachineGetsABootTimeoutThenCostsAnAttempt() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING).step(Round.RESTART, "");
    Probe down = Probe.unreachable("cannot connect to 10.0.0.1:22: Connection refused", false);
    assertThat(next(down).kind()).isEqualTo(Kind.WAIT);
    after(Duration.ofMinutes(2));
    ImagingPlan.Step failed = next(down);
    assertThat(failed.kind()).isEqualTo(Kind.ATTEMPT_FAILED);
    assertThat(failed.detail()).isEqualTo("unreachable for 2m after restart: cannot connect to 10.0.0.1:22: Connection refused");
    assertThat(next(Probe.unreachable("host key mismatch at ...", true)).kind())
        .as("another key is never waited out").isEqualTo(Kind.FAIL);
  }

  @Test
  void aFailedRoundIsRetriedAfterAWaitThatDoublesPerFailedRound() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING).step(Round.FAILED, "no image").state(LifecycleState.NEW);
    assertThat(next(BARE).kind()).isEqualTo(Kind.HOLD);
    after(Duration.ofMinutes(10));
    assertThat(next(BARE).kind()).isEqualTo(Kind.BEGIN);
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING).step(Round.FAILED, "again").state(LifecycleState.NEW);
    after(Duration.ofMinutes(10));
    assertThat(next(BARE).detail()).startsWith("2 rounds failed; the next not before");
    after(Duration.ofMinutes(10));
    assertThat(next(BARE).kind()).isEqualTo(Kind.BEGIN);
  }

  @Test
  void aChangedConfigurationIsRewrittenAndRestartedOnce() {
    step(Round.BEGIN, "").state(LifecycleState.PROVISIONING).step(Round.REIMAGE, "").step(Round.INSTALLED, "")
        .step(Round.CONFIGURED, "").step(Round.RESTART, "");
    Probe other = new Probe(true, null, false, IMG, IMG, "d".repeat(64));
    assertThat(next(other).kind()).isEqualTo(Kind.CONFIGURE);
    step(Round.CONFIGURED, "");
    assertThat(next(CONFIGURED, true).kind()).as("configured after the last restart").isEqualTo(Kind.RESTART);
  }
}
