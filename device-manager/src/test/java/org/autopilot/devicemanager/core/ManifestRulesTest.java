package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.autopilot.devicemanager.core.FleetScript.*;

import java.util.List;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.event.*;
import org.autopilot.devicemanager.model.*;
import org.junit.jupiter.api.Test;

class ManifestRulesTest {
  final FleetScript s = new FleetScript().given(type("web"), type("db"), unit("su-1"),
      register("m1", "web", "su-1"), register("m2", "web", "su-1"), register("d1", "db", "su-1"),
      registerManifest("web", "1", "web"), registerManifest("web", "2", "web"));

  @Test
  void aVersionIsImmutable() {
    Fleet before = s.fleet;
    assertThat(s.when(registerManifest("web", "1", "web")).events()).isEmpty();
    CommandResult r = s.when(new RegisterManifest(manifest("web", "1", "db"), null, "oops"));
    assertThat(r.code()).isEqualTo(Rejection.CONFLICT);
    assertThat(r.reason()).contains("web@1", "immutable");
    assertThat(s.fleet).isSameAs(before);
    ManifestVersion v = s.fleet.manifests().get(ref("web@2"));
    assertThat(v.origin().author()).isEqualTo("Ada");
    assertThat(v.digest()).hasSize(64).isEqualTo(ManifestRules.digest(v.manifest()));
  }

  @Test
  void assignActivateAndSwitchBack() {
    s.given(new AssignManifest(ids("m1", "m2"), ref("web@1"), "pre-load"),
        new AssignManifest(ids("m1", "m2"), ref("web@2"), "pre-load"));
    assertThat(s.machine("m1").software().assigned()).containsExactly(ref("web@1"), ref("web@2"));

    CommandResult r = s.when(new ActivateManifest(ids("m1", "m2"), ref("web@2"), "rollout"));
    assertThat(r.events()).hasSize(2).allSatisfy(e ->
        assertThat(e).isInstanceOfSatisfying(ManifestActivated.class, a -> {
          assertThat(a.from()).isNull();
          assertThat(a.to()).isEqualTo(ref("web@2"));
        }));
    s.given(new ActivateManifest(ids("m1"), ref("web@1"), "roll back"));
    assertThat(s.machine("m1").software().active()).isEqualTo(ref("web@1"));
    assertThat(s.machine("m2").software().active()).isEqualTo(ref("web@2"));
    assertThat(s.when(new ActivateManifest(ids("m1"), ref("web@1"), "again")).events()).isEmpty();
  }

  @Test
  void allOrNothing() {
    s.given(new AssignManifest(ids("m1"), ref("web@1"), "pre-load"));
    Fleet before = s.fleet;

    CommandResult notAssigned = s.when(new ActivateManifest(ids("m1", "m2"), ref("web@1"), "go"));
    assertThat(notAssigned.code()).isEqualTo(Rejection.CONFLICT);
    assertThat(notAssigned.reason()).contains("not assigned to machine m2");
    CommandResult wrongType = s.when(new AssignManifest(ids("m2", "d1"), ref("web@1"), "x"));
    assertThat(wrongType.code()).isEqualTo(Rejection.INVALID);
    assertThat(wrongType.reason()).contains("machine d1 is of type db");
    assertThat(s.when(new AssignManifest(ids("m1", "nope"), ref("web@1"), "x")).code())
        .isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.when(new AssignManifest(ids("m1"), ref("web@9"), "x")).code())
        .isEqualTo(Rejection.NOT_FOUND);
    assertThat(s.fleet).isSameAs(before);
  }

  @Test
  void anActivationDecidedOnAnOldReadNeverUndoesANewerOne() {
    s.given(new AssignManifest(ids("m1", "m2"), ref("web@1"), ""),
        new AssignManifest(ids("m1", "m2"), ref("web@2"), ""));
    String seenBefore = ActivateManifest.seen(s.machine("m1").software().active());
    assertThat(seenBefore).as("nothing active yet").isEmpty();
    s.given(new ActivateManifest(ids("m1"), ref("web@2"), "the rollout"));
    Fleet before = s.fleet;
    CommandResult late = s.when(new ActivateManifest(ids("m1"), ref("web@1"), "provisioning, late",
        seenBefore));
    assertThat(late.code()).isEqualTo(Rejection.STALE);
    assertThat(late.reason()).contains("m1 has web@2 active, not none");
    assertThat(s.fleet).isSameAs(before);
    assertThat(s.when(new ActivateManifest(ids("m1", "m2"), ref("web@1"), "", "web@2")).code())
        .as("all or nothing: m2 has none active").isEqualTo(Rejection.STALE);
    assertThat(s.when(new ActivateManifest(ids("m1"), ref("web@1"), "", "web@")).code())
        .isEqualTo(Rejection.INVALID);
    s.given(new ActivateManifest(ids("m1"), ref("web@1"), "operator rollback, seen web@2", "web@2"),
        new ActivateManifest(ids("m2"), ref("web@1"), "first", ""));
    assertThat(s.machine("m1").software().active()).isEqualTo(ref("web@1"));
    assertThat(s.machine("m2").software().active()).isEqualTo(ref("web@1"));
  }

  @Test
  void theActiveManifestCannotBeUnassigned() {
    s.given(new AssignManifest(ids("m1"), ref("web@1"), ""),
        new AssignManifest(ids("m1"), ref("web@2"), ""),
        new ActivateManifest(ids("m1"), ref("web@2"), ""));
    assertThat(s.when(new UnassignManifest(ids("m1"), ref("web@2"), "")).code())
        .isEqualTo(Rejection.CONFLICT);
    s.given(new UnassignManifest(ids("m1"), ref("web@1"), "old"));
    assertThat(s.machine("m1").software().assigned()).containsExactly(ref("web@2"));
  }

  @Test
  void reportsMakeEventsOnlyWhenSomethingChanged() {
    ReportSoftware report = new ReportSoftware(MachineId.of("m1"), List.of(ref("web@1")),
        ref("web@1"), List.of(new AppStatus("app", AppStatus.State.RUNNING, 0, "")), "");
    assertThat(s.when(report).events()).singleElement().isInstanceOf(SoftwareReported.class);
    assertThat(s.when(report).events()).isEmpty();
    assertThat(s.machine("m1").software().running()).isEqualTo(ref("web@1"));

    CommandResult unknown = s.when(new ReportSoftware(MachineId.of("m1"), List.of(ref("zzz@1")),
        null, List.of(), ""));
    assertThat(unknown.code()).isEqualTo(Rejection.INVALID);
    assertThat(unknown.reason()).contains("zzz@1");
    assertThat(s.machine("m1").software().held()).containsExactly(ref("web@1"));
  }
}
