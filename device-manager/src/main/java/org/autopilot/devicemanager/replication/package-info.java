/**
 * Replication of the fleet with Apache Ratis: the only package that imports
 * {@code org.apache.ratis}, so the consensus engine stays swappable behind
 * {@link org.autopilot.devicemanager.core.Replica}.
 *
 * <p>The leader stamps its clock on each log entry in {@code startTransaction}; every replica
 * applies entries through {@link org.autopilot.devicemanager.core.FleetLedger} in log order.
 * The log is fsynced before an entry is acknowledged (Ratis' default, kept), snapshots are
 * taken automatically every {@code snapshotEvery} entries and the log is purged up to them.
 *
 * <p>Disk safety: before Ratis opens the data directory, {@code StorageCheck} reads every log
 * segment strictly ({@code LogSegmentScan}), verifies the snapshot's MD5 and that log plus
 * snapshot reach the {@code DurableMark}; a mismatch refuses the start, naming the file. While
 * running, {@code StorageGuard} keeps the mark, measures free space against the reserve and holds
 * the replica's failure once Ratis could not write the log.
 */
package org.autopilot.devicemanager.replication;
