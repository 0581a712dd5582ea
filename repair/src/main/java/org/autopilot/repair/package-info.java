/**
 * The repair service: replicas elect a leader through the DM's {@code repair} lease; the leader
 * watches the DM's repair queue and claims, starts, executes (over SSH) and finishes the repairs
 * the DM hands out. Quartz runs a periodic look at the queue and one at the opening of every
 * maintenance window in the DM's health policies; its jobs only enqueue a look. See
 * {@code docs/repair.md}. Depends on the DM's client and model, never on its replication engine.
 */
package org.autopilot.repair;
