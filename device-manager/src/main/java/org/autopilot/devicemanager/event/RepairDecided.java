package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.*;

/**
 * An entry of the decision log: what the health policy decided, or did not do and why.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine concerned, or null
 * @param scope the rack or unit concerned, or null
 * @param kind the kind of decision
 * @param text the decision in words
 */
public record RepairDecided(long revision, Instant at, String actor, String cause, MachineId machine, String scope, String kind, String text)
    implements DmEvent {}
