package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * The claimer reports how its action ended. Done: the machine's probation starts now. Failed:
 * the machine is back in Failure and the next step of the ladder is chosen.
 *
 * @param machine the machine
 * @param repair the repair id
 * @param holder the claimer
 * @param succeeded whether the action completed
 * @param detail what happened, e.g. the command's exit and output (at most 1000 characters)
 * @param cause why
 */
public record FinishRepair(MachineId machine, long repair, String holder, boolean succeeded,
    String detail, String cause) implements DmCommand {}
