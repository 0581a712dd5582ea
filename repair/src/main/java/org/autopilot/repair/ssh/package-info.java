/**
 * The management interface: one command per SSH session (Apache MINA SSHD client), the host
 * key checked against the fingerprint the DM pinned before anything is sent, public-key login,
 * bounded waits, capped output. Knows nothing of repairs or the DM.
 */
package org.autopilot.repair.ssh;
