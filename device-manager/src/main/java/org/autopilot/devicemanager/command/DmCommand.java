package org.autopilot.devicemanager.command;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A request to change the fleet. Every command states its {@code cause}: the human-readable
 * why that lands in the audit trail. Who asked (the actor) is not part of the command; the API
 * takes it from the authenticated caller and wraps both in a {@link Proposal}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = DefineMachineType.class, name = "DefineMachineType"),
  @JsonSubTypes.Type(value = DefineScaleUnit.class, name = "DefineScaleUnit"),
  @JsonSubTypes.Type(value = RegisterMachine.class, name = "RegisterMachine"),
  @JsonSubTypes.Type(value = PlaceMachine.class, name = "PlaceMachine"),
  @JsonSubTypes.Type(value = ChangeState.class, name = "ChangeState"),
  @JsonSubTypes.Type(value = ReportHealth.class, name = "ReportHealth"),
  @JsonSubTypes.Type(value = AcquireLease.class, name = "AcquireLease"),
  @JsonSubTypes.Type(value = ReleaseLease.class, name = "ReleaseLease"),
  @JsonSubTypes.Type(value = RegisterManifest.class, name = "RegisterManifest"),
  @JsonSubTypes.Type(value = AssignManifest.class, name = "AssignManifest"),
  @JsonSubTypes.Type(value = UnassignManifest.class, name = "UnassignManifest"),
  @JsonSubTypes.Type(value = ActivateManifest.class, name = "ActivateManifest"),
  @JsonSubTypes.Type(value = ReportSoftware.class, name = "ReportSoftware"),
  @JsonSubTypes.Type(value = StartRollout.class, name = "StartRollout"),
  @JsonSubTypes.Type(value = AdvanceRollout.class, name = "AdvanceRollout"),
  @JsonSubTypes.Type(value = SteerRollout.class, name = "SteerRollout"),
  @JsonSubTypes.Type(value = SetBudget.class, name = "SetBudget"),
  @JsonSubTypes.Type(value = RecordIngest.class, name = "RecordIngest"),
  @JsonSubTypes.Type(value = ReportWatchdogs.class, name = "ReportWatchdogs"),
  @JsonSubTypes.Type(value = EvaluateHealth.class, name = "EvaluateHealth"),
  @JsonSubTypes.Type(value = SetHealthPolicy.class, name = "SetHealthPolicy"),
  @JsonSubTypes.Type(value = ClaimRepair.class, name = "ClaimRepair"),
  @JsonSubTypes.Type(value = StartRepair.class, name = "StartRepair"),
  @JsonSubTypes.Type(value = FinishRepair.class, name = "FinishRepair"),
  @JsonSubTypes.Type(value = SilenceMachine.class, name = "SilenceMachine"),
  @JsonSubTypes.Type(value = MarkReplaced.class, name = "MarkReplaced"),
  @JsonSubTypes.Type(value = ResolveIncident.class, name = "ResolveIncident"),
  @JsonSubTypes.Type(value = ReportProvisioning.class, name = "ReportProvisioning"),
  @JsonSubTypes.Type(value = PinHostKey.class, name = "PinHostKey"),
  @JsonSubTypes.Type(value = ReportHostKeyChange.class, name = "ReportHostKeyChange"),
})
public sealed interface DmCommand
    permits DefineMachineType, DefineScaleUnit, RegisterMachine, PlaceMachine, ChangeState,
        ReportHealth, AcquireLease, ReleaseLease, RegisterManifest, AssignManifest,
        UnassignManifest, ActivateManifest, ReportSoftware, StartRollout, AdvanceRollout,
        SteerRollout, SetBudget, RecordIngest, ReportWatchdogs, EvaluateHealth, SetHealthPolicy,
        ClaimRepair, StartRepair, FinishRepair, SilenceMachine, MarkReplaced, ResolveIncident,
        ReportProvisioning, PinHostKey, ReportHostKeyChange {

  /** Why the caller asks; recorded with every resulting event. May be empty, never null after decide. */
  String cause();
}
