package org.autopilot.devicemanager.event;

import java.time.Instant;
import org.autopilot.devicemanager.model.MachineId;

/**
 * An operator pinned another host key on a machine.
 *
 * @param revision the revision this event creates
 * @param at leader-stamped time
 * @param actor who caused it
 * @param cause why
 * @param machine the machine
 * @param previous the key pinned before
 * @param hostKeyFingerprint the key pinned now
 */
public record HostKeyPinned(long revision, Instant at, String actor, String cause, MachineId machine,
    String previous, String hostKeyFingerprint) implements DmEvent {}
