/**
 * Watchdogs: the Nagios plugin protocol (exit status, first line {@code STATUS: text | perfdata},
 * long text, perfdata items and threshold ranges), a runner that executes watchdog scripts with
 * a timeout and an output cap, and (later) the built-in watchdogs and the outside prober. Parsing
 * never throws on a plugin's output: what cannot be read becomes a problem noted on the result,
 * and a script that times out or crashes is Unknown, never Error. Depends on the DM's model
 * (the {@code Health} verdicts) only.
 */
package org.autopilot.watchdogs;
