package org.autopilot.provisioning.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.provisioning.discovery.DiscoveryPlan.Kind;
import org.autopilot.provisioning.scan.Endpoint;
import org.junit.jupiter.api.Test;

class DiscoveryPlanTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  static final MachineFacts FACTS = new MachineFacts(4, 8L << 30, List.of("sda"));
  static final Placement WEB = new Placement("web", "su-1", "r1", "machine-types.yaml:3");

  static Machine machine(String id, String address, String key, LifecycleState state) {
    Machine m = Machine.discovered(MachineId.of(id), address, key, null, null, null, FACTS, T, 1);
    return state == LifecycleState.NEW ? m : m.withState(state, T, 2, "test");
  }

  static Observation seen(String address, String key, String id) {
    String[] hp = address.split(":");
    return Observation.identified(new Endpoint(hp[0], Integer.parseInt(hp[1])), key, id, FACTS);
  }

  @Test
  void anUnknownIdWithAnUnknownKeyIsRegisteredWhereTheRulesSay() {
    DiscoveryPlan plan = new DiscoveryPlan(List.of());
    DiscoveryPlan.Verdict v = plan.decide(seen("10.0.0.5:22", "SHA256:a", "m5"), o -> Optional.of(WEB));
    assertThat(v.kind()).isEqualTo(Kind.REGISTER);
    assertThat(v.machine()).isEqualTo(MachineId.of("m5"));
    assertThat(v.placement()).isEqualTo(WEB);
    assertThat(v.text()).contains("10.0.0.5:22", "SHA256:a", "type web", "machine-types.yaml:3");

    DiscoveryPlan.Verdict untyped = plan.decide(seen("10.0.0.5:22", "SHA256:a", "m5"), o -> Optional.empty());
    assertThat(untyped.kind()).isEqualTo(Kind.REGISTER);
    assertThat(untyped.placement()).isNull();
    assertThat(untyped.text()).contains("no machine-type rule matches");
  }

  @Test
  void aKnownIdWithItsPinnedKeyIsKnownInAnyStateAndPlacedOnlyWhileNew() {
    DiscoveryPlan plan = new DiscoveryPlan(List.of(
        machine("m1", "10.0.0.1:22", "SHA256:a", LifecycleState.NEW),
        machine("m2", "10.0.0.2:22", "SHA256:b", LifecycleState.PROVISIONING)));
    assertThat(plan.decide(seen("10.0.0.1:22", "SHA256:a", "m1"), o -> Optional.empty()).kind())
        .isEqualTo(Kind.KNOWN);
    DiscoveryPlan.Verdict place = plan.decide(seen("10.0.0.1:22", "SHA256:a", "m1"), o -> Optional.of(WEB));
    assertThat(place.kind()).isEqualTo(Kind.PLACE);
    assertThat(place.placement()).isEqualTo(WEB);
    assertThat(plan.decide(seen("10.0.0.2:22", "SHA256:b", "m2"), o -> Optional.of(WEB)).kind())
        .as("a machine past New is never moved between types by discovery").isEqualTo(Kind.KNOWN);
  }

  @Test
  void aKnownIdWithAnotherKeyIsNotAccepted() {
    DiscoveryPlan plan = new DiscoveryPlan(List.of(machine("m1", "10.0.0.1:22", "SHA256:a", LifecycleState.HEALTHY)));
    DiscoveryPlan.Verdict v = plan.decide(seen("10.0.0.1:22", "SHA256:evil", "m1"), o -> Optional.of(WEB));
    assertThat(v.kind()).isEqualTo(Kind.KEY_MISMATCH);
    assertThat(v.text()).contains("SHA256:evil", "SHA256:a", "not accepted");
  }

  @Test
  void anUnknownIdWithAKeyPinnedToAnotherMachineIsNotRegistered() {
    DiscoveryPlan plan = new DiscoveryPlan(List.of(machine("m1", "10.0.0.1:22", "SHA256:a", LifecycleState.HEALTHY)));
    DiscoveryPlan.Verdict v = plan.decide(seen("10.0.0.9:22", "SHA256:a", "clone"), o -> Optional.of(WEB));
    assertThat(v.kind()).isEqualTo(Kind.KEY_CONFLICT);
    assertThat(v.text()).contains("pinned to m1", "not registered");
  }

  @Test
  void anEndpointThatCannotBeIdentifiedIsOnlyNoted() {
    DiscoveryPlan plan = new DiscoveryPlan(List.of(machine("m1", "10.0.0.1:22", "SHA256:a", LifecycleState.HEALTHY)));
    Endpoint e = new Endpoint("10.0.0.1", 22);
    DiscoveryPlan.Verdict refused = plan.decide(Observation.failed(e, "SHA256:a", "login refused"),
        o -> Optional.empty());
    assertThat(refused.kind()).isEqualTo(Kind.UNIDENTIFIED);
    assertThat(refused.machine()).isEqualTo(MachineId.of("m1"));
    assertThat(refused.text()).contains("pinned to m1", "login refused");
    DiscoveryPlan.Verdict garbage = plan.decide(seen("10.0.0.3:22", "SHA256:c", "no such thing!"),
        o -> Optional.empty());
    assertThat(garbage.kind()).isEqualTo(Kind.UNIDENTIFIED);
    assertThat(garbage.text()).contains("not a machine id");
  }

  @Test
  void factsAreReadLeniently() {
    assertThat(Identifier.facts("{\"cpus\":2,\"memoryBytes\":1024,\"disks\":[\"nvme0n1\"],\"extra\":1}"))
        .isEqualTo(new MachineFacts(2, 1024, List.of("nvme0n1")));
    assertThat(Identifier.facts("{}")).isEqualTo(MachineFacts.UNKNOWN);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Identifier.facts("cpus=4"))
        .hasMessageContaining("not JSON");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Identifier.facts("{\"cpus\":-1}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
