package org.autopilot.devicemanager.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;

/** An accepted change to the fleet and its audit record. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = MachineTypeDefined.class, name = "MachineTypeDefined"),
  @JsonSubTypes.Type(value = ScaleUnitDefined.class, name = "ScaleUnitDefined"),
  @JsonSubTypes.Type(value = MachineRegistered.class, name = "MachineRegistered"),
  @JsonSubTypes.Type(value = MachinePlaced.class, name = "MachinePlaced"),
  @JsonSubTypes.Type(value = StateChanged.class, name = "StateChanged"),
  @JsonSubTypes.Type(value = HealthChanged.class, name = "HealthChanged"),
  @JsonSubTypes.Type(value = LeaseGranted.class, name = "LeaseGranted"),
  @JsonSubTypes.Type(value = LeaseReleased.class, name = "LeaseReleased"),
  @JsonSubTypes.Type(value = ManifestRegistered.class, name = "ManifestRegistered"),
  @JsonSubTypes.Type(value = ManifestAssigned.class, name = "ManifestAssigned"),
  @JsonSubTypes.Type(value = ManifestUnassigned.class, name = "ManifestUnassigned"),
  @JsonSubTypes.Type(value = ManifestActivated.class, name = "ManifestActivated"),
  @JsonSubTypes.Type(value = SoftwareReported.class, name = "SoftwareReported"),
  @JsonSubTypes.Type(value = RolloutUpdated.class, name = "RolloutUpdated"),
  @JsonSubTypes.Type(value = MachineKicked.class, name = "MachineKicked"),
  @JsonSubTypes.Type(value = BudgetSet.class, name = "BudgetSet"),
  @JsonSubTypes.Type(value = IngestRecorded.class, name = "IngestRecorded"),
  @JsonSubTypes.Type(value = WatchdogsReported.class, name = "WatchdogsReported"),
  @JsonSubTypes.Type(value = RepairUpdated.class, name = "RepairUpdated"),
  @JsonSubTypes.Type(value = RepairDecided.class, name = "RepairDecided"),
  @JsonSubTypes.Type(value = IncidentUpdated.class, name = "IncidentUpdated"),
  @JsonSubTypes.Type(value = HealthPolicySet.class, name = "HealthPolicySet"),
  @JsonSubTypes.Type(value = MachineSilenced.class, name = "MachineSilenced"),
  @JsonSubTypes.Type(value = MachineReplaced.class, name = "MachineReplaced"),
  @JsonSubTypes.Type(value = ProvisioningReported.class, name = "ProvisioningReported"),
  @JsonSubTypes.Type(value = HostKeyPinned.class, name = "HostKeyPinned"),
})
public sealed interface DmEvent
    permits MachineTypeDefined, ScaleUnitDefined, MachineRegistered, MachinePlaced, StateChanged,
        HealthChanged, LeaseGranted, LeaseReleased, ManifestRegistered, ManifestAssigned,
        ManifestUnassigned, ManifestActivated, SoftwareReported, RolloutUpdated, MachineKicked,
        BudgetSet, IngestRecorded, WatchdogsReported, RepairUpdated, RepairDecided,
        IncidentUpdated, HealthPolicySet, MachineSilenced, MachineReplaced,
        ProvisioningReported, HostKeyPinned {

  /** The fleet revision this event creates: exactly one more than the revision before it. */
  long revision();

  /** Leader-stamped time of the batch that carried the command. */
  Instant at();

  /** The principal whose command caused this event. */
  String actor();

  /** Why, in words. */
  String cause();
}
