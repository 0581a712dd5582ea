/**
 * Replication of the fleet with Apache Ratis: the only package that imports
 * {@code org.apache.ratis}, so the consensus engine stays swappable behind
 * {@link org.autopilot.devicemanager.core.Replica}.
 *
 * <p>The leader stamps its clock on each log entry in {@code startTransaction}; every replica
 * applies entries through {@link org.autopilot.devicemanager.core.FleetLedger} in log order.
 * The log is fsynced before an entry is acknowledged (Ratis' default, kept), snapshots are
 * taken automatically every {@code snapshotEvery} entries and the log is purged up to them.
 */
package org.autopilot.devicemanager.replication;
