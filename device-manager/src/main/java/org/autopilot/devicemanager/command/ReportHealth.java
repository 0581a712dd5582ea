package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;

/**
 * A watchdog verdict about a machine. A report that does not change the machine's health is
 * accepted and produces no event.
 *
 * @param machine an existing machine
 * @param health the verdict
 * @param cause the watchdog's text, e.g. {@code disk: /var 97% full}
 */
public record ReportHealth(MachineId machine, Health health, String cause) implements DmCommand {}
