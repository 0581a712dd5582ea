/**
 * SSH sessions to machines (Apache MINA SSHD client): pinned to the DM's host key fingerprint,
 * or observing (any key accepted and reported, for discovery); key login only; bounded waits and
 * capped output. Knows nothing of the DM.
 */
package org.autopilot.provisioning.ssh;
