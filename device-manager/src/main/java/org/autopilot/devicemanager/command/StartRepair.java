package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * The claimer says it starts acting now. Accepted only from the claimer while it still holds
 * the lease epoch it claimed under; once started, no one may claim or start the repair again.
 *
 * @param machine the machine
 * @param repair the repair id
 * @param holder the claimer
 * @param cause why
 */
public record StartRepair(MachineId machine, long repair, String holder, String cause)
    implements DmCommand {}
