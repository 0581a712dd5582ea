/**
 * The Device Manager's REST/JSON API under {@code /api/v1}, served by every replica (Javalin on
 * Jetty): reads from the local replica (optionally linearizable), writes through group commit
 * to the Raft leader, blocking watches ({@code ?index=N&wait=30s}) that hold no thread,
 * bearer-token authentication with roles, the OpenAPI document and Prometheus {@code /metrics}.
 * Depends on core and model; never on the replication engine.
 */
package org.autopilot.devicemanager.api;
