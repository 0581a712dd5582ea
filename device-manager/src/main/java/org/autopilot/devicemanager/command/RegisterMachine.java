package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Records a newly discovered machine in state New.
 *
 * @param machine the new machine's id; must not exist yet
 * @param address {@code host:port} of its management (SSH) endpoint, not blank
 * @param hostKeyFingerprint its SSH host key fingerprint, pinned from now on, not blank
 * @param machineType a defined machine type, or null
 * @param scaleUnit a defined scale unit, or null
 * @param rack rack label, or null
 * @param facts hardware facts read over SSH, or null
 * @param cause why
 */
public record RegisterMachine(
    MachineId machine,
    String address,
    String hostKeyFingerprint,
    String machineType,
    String scaleUnit,
    String rack,
    MachineFacts facts,
    String cause)
    implements DmCommand {}
