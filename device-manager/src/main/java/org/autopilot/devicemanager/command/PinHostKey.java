package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * Pins another SSH host key on a machine that is New: what an operator does after a legitimate
 * reinstall or new hardware behind a replaced machine, once discovery has reported the key it
 * saw (a {@code discovery} Warning naming both keys). Never done by a service: only an operator
 * or an admin may send it, and only for a machine in New, so a machine in service never has its
 * key changed under the automation that trusts it.
 *
 * @param machine an existing machine in New
 * @param expectedVersion the machine version the operator looked at; 0 = unconditional
 * @param hostKeyFingerprint the key to pin, as the machine presents it (e.g. {@code SHA256:...})
 * @param cause why (a ticket, who checked the machine)
 */
public record PinHostKey(MachineId machine, long expectedVersion, String hostKeyFingerprint, String cause)
    implements DmCommand {}
