/**
 * The Device Manager's domain model: machines, machine types, scale units, leases and the
 * immutable {@link org.autopilot.devicemanager.model.Fleet} view that holds them all.
 *
 * <p>Everything here is an immutable value. Nothing here reads a clock, does I/O or knows about
 * replication; it may depend on Jackson annotations and pcollections only.
 */
package org.autopilot.devicemanager.model;
