/**
 * The provisioning service: replicas elect a leader through the DM's {@code provisioning} lease;
 * the leader discovers machines by scanning configured address ranges over SSH, places them by
 * the machine-type rules, installs their type's image, burns them in and reports every step to
 * the DM. See {@code docs/provisioning.md}. Depends on the DM's client and model, never on its
 * replication engine.
 */
package org.autopilot.provisioning;
