package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.MachineId;

/**
 * A satellite's SSH client met a machine whose host key is not the one the DM pinned: the
 * session was ended before login. The DM opens an incident for the machine (scope
 * {@code machine:<id>}) and stops automation there — no repair is handed out and no state move
 * is accepted — until an operator pins the key the machine now presents ({@link PinHostKey},
 * which resolves the incident) or resolves the incident (the pinned key stays: the machine was
 * an impostor or a misrouted address). A second report while the incident is open changes
 * nothing, so every observer may report every time.
 *
 * @param machine an existing machine
 * @param presentedFingerprint the key the machine presented, e.g. {@code SHA256:...}; not the
 *     pinned one; at most 200 characters
 * @param cause who saw it where (e.g. "repair-1 at 127.0.0.1:7303, before a Reboot")
 */
public record ReportHostKeyChange(MachineId machine, String presentedFingerprint, String cause)
    implements DmCommand {}
