package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * A human replaced the hardware of a machine in Replace: it comes back as New, with its failure
 * history, watchdog states and repair cleared, ready for provisioning.
 *
 * @param machine the machine in Replace
 * @param cause why (e.g. the RMA ticket)
 */
public record MarkReplaced(MachineId machine, String cause) implements DmCommand {}
