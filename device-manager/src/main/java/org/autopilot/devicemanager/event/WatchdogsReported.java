package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * Watchdog verdicts about a machine changed (only the changed watchdogs are listed).
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param changed the new state of each watchdog that changed
 * @param health the machine's overall health afterwards (worst of its watchdogs)
 */
public record WatchdogsReported(long revision, Instant at, String actor, String cause, MachineId machine, java.util.List<WatchdogState> changed, Health health)
    implements DmEvent {}
