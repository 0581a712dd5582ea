/**
 * The Device Manager's core: the pure {@link org.autopilot.devicemanager.core.FleetStateMachine}
 * (decide and apply), the {@link org.autopilot.devicemanager.core.FleetLedger} that applies
 * leader-stamped command batches in log order and snapshots the fleet, group commit
 * ({@link org.autopilot.devicemanager.core.CommandBatcher}) and blocking watches.
 *
 * <p>No clock reads and no I/O in decide or apply; time enters only as the leader stamp of a
 * batch. Depends on model, command and event; never on a replication engine.
 */
package org.autopilot.devicemanager.core;
