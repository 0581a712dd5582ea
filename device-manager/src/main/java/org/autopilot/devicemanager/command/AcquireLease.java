package org.autopilot.devicemanager.command;

/**
 * Acquires or renews leadership of a satellite service. Granted when the lease is free,
 * expired at leader time, or already held by {@code holder} (a renewal).
 *
 * @param service service name, {@code [a-z0-9][a-z0-9-]*}
 * @param holder the asking replica, not blank
 * @param ttlMillis how long the grant lasts from leader time, 100 ms to 10 minutes
 * @param cause why
 */
public record AcquireLease(String service, String holder, long ttlMillis, String cause)
    implements DmCommand {}
