/**
 * Watchdogs on the machine: the Nagios plugin protocol (exit status, first line
 * {@code TEXT | perfdata}, long text, perfdata items and threshold ranges), a runner for one
 * script with a timeout and an output cap ({@code ScriptRunner}), the {@code Watchdog} interface
 * every check implements, and the {@code WatchdogRunner} that runs a machine's checks in rounds
 * (fixed checks plus the scripts of the watchdog directory), counts consecutive verdicts and
 * hands each round to a sink. Parsing never throws on a plugin's output: what cannot be read
 * becomes a problem noted on the result; a script that times out, crashes or breaks the protocol
 * is Unknown with the reason, never Error. The built-ins are in {@code builtin}. Depends on the
 * DM's model and command types only (the {@code Health} verdicts, {@code ReportWatchdogs}).
 */
package org.autopilot.watchdogs;
