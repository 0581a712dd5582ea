/**
 * Running a Device Manager replica: its YAML configuration ({@link
 * org.autopilot.devicemanager.server.DmConfig}), the wiring of replication, group commit and API
 * ({@link org.autopilot.devicemanager.server.DmServer}), and a whole local cluster on loopback
 * for the demo, tests and benchmarks ({@link org.autopilot.devicemanager.server.LocalCluster}).
 */
package org.autopilot.devicemanager.server;
