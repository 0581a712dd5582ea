package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * The repair service hands out a waiting repair to itself. Accepted only from the holder of the
 * {@code repair} lease, when no budget, window, incident or silence holds it; the machine moves
 * to Probation (Replace for a Replace). A claimed repair not yet started may be claimed again by
 * the lease holder when its claim can no longer be started, i.e. it was made under another holder
 * or lease epoch (its claimer died, or gave the lease up, before acting).
 *
 * @param machine the machine in Failure
 * @param repair the repair id (see {@link org.autopilot.devicemanager.model.Repair#id})
 * @param holder the claiming replica, the holder of the {@code repair} lease
 * @param cause why
 */
public record ClaimRepair(MachineId machine, long repair, String holder, String cause)
    implements DmCommand {}
