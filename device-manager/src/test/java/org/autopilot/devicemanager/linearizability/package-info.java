/**
 * Linearizability checking of the DM API (issue #8): a Java port of Porcupine's checker
 * ({@link org.autopilot.devicemanager.linearizability.LinearizabilityChecker}: Wing &amp; Gong's
 * search with Lowe's memoisation, histories partitioned by key), a compare-and-set register
 * model of one machine's rack label, a history recorder, and the test that drives a real
 * three-replica cluster with concurrent clients while the leader is killed. Test code only: it
 * may depend on the client, the server and the commands, and nothing in {@code main} depends on
 * it.
 */
package org.autopilot.devicemanager.linearizability;
