/**
 * The built-in watchdogs every machine runs: {@code disk} (free space on a path and a write,
 * fsync and read-back probe), {@code memory} (available memory from {@code /proc/meminfo}) and
 * {@code heartbeat} (the agent is alive). Each answers with a {@code WatchdogResult} as a script
 * would, never throws, and reports what it cannot read as Unknown. Their OK texts name the
 * threshold, not the measured value (that is in the perfdata), so a healthy machine's reports
 * do not change from round to round. Depends on the protocol types of the parent package only.
 */
package org.autopilot.watchdogs.builtin;
