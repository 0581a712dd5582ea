package org.autopilot.devicemanager.model;

import java.time.Instant;

/**
 * One step of a machine's provisioning as the provisioning service's leader reported it
 * ({@code ReportProvisioning}): discovery, imaging, burn-in. The DM only records steps; what they
 * mean is the service's business.
 *
 * @param step what happened, {@code [a-z][a-z0-9-]{0,31}}, e.g. {@code begin}, {@code reimage},
 *     {@code installed}, {@code failed}
 * @param detail for humans (at most 1,000 characters), e.g. the failure reason
 * @param at leader time of the report
 * @param holder the replica that reported it (the lease holder)
 * @param epoch the {@code provisioning} lease epoch it held
 * @param revision the DM revision that recorded it (audit events after it happened after it)
 */
public record ProvisioningStep(String step, String detail, Instant at, String holder, long epoch,
    long revision) {}
