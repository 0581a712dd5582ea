package org.autopilot.repair.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;
import org.junit.jupiter.api.Test;

class CommandMapTest {
  static RepairItem item(String type, String image, RepairAction action) {
    return new RepairItem(MachineId.of("m1"), LifecycleState.PROBATION, type, "su-1", "r1",
        "10.0.0.7:22", "SHA256:k", image,
        Repair.chosen(42, action, "why", false, Instant.EPOCH));
  }

  @Test
  void aTypesOwnEntryWinsThenTheDefaultThenTheBuiltIn() {
    CommandMap c = CommandMap.of(Map.of(
        "default", Map.of("Reboot", "ipmitool -H bmc-{machine} chassis power cycle"),
        "db", Map.of("reboot", "drain {machine} && ipmitool -H bmc-{machine} power cycle")));

    assertThat(c.render(item("db", "img-1", RepairAction.REBOOT)))
        .isEqualTo("drain m1 && ipmitool -H bmc-m1 power cycle");
    assertThat(c.render(item("web", "img-1", RepairAction.REBOOT)))
        .isEqualTo("ipmitool -H bmc-m1 chassis power cycle");
    assertThat(c.render(item("web", "img-1", RepairAction.REIMAGE))).isEqualTo("reimage img-1");
    assertThat(c.render(item(null, null, RepairAction.REPLACE))).isEqualTo("power off");
  }

  @Test
  void everyPlaceholderIsFilled() {
    CommandMap c = CommandMap.of(Map.of("default",
        Map.of("Reimage", "pxe --host {address} --machine {machine} --type {type} --image {image} --ticket {repair}")));

    assertThat(c.render(item("web", "registry/os:2.1", RepairAction.REIMAGE)))
        .isEqualTo("pxe --host 10.0.0.7:22 --machine m1 --type web --image registry/os:2.1 --ticket 42");
  }

  @Test
  void aValueAShellWouldReadAsSyntaxIsRefused() {
    CommandMap c = CommandMap.builtIn();

    assertThatThrownBy(() -> c.render(item("web", "img; rm -rf /", RepairAction.REIMAGE)))
        .hasMessageContaining("{image}").hasMessageContaining("not safe");
    assertThatThrownBy(() -> c.render(item("web", null, RepairAction.REIMAGE)))
        .hasMessageContaining("{image} has no value").hasMessageContaining("web has no image");
  }

  @Test
  void mistakesInTheConfigurationNameTheEntry() {
    assertThatThrownBy(() -> CommandMap.of(Map.of("web", Map.of("Reboot", "reboot {host}"))))
        .hasMessageContaining("commands.web.Reboot").hasMessageContaining("unknown placeholder {host}");
    assertThatThrownBy(() -> CommandMap.of(Map.of("web", Map.of("Restart", "reboot"))))
        .hasMessageContaining("commands.web.Restart").hasMessageContaining("unknown repair action");
    assertThatThrownBy(() -> CommandMap.of(Map.of("web", Map.of("DoNothing", "true"))))
        .hasMessageContaining("DoNothing runs no command");
    assertThatThrownBy(() -> CommandMap.of(Map.of("web", Map.of("Reboot", " "))))
        .hasMessageContaining("commands.web.Reboot");
  }
}
