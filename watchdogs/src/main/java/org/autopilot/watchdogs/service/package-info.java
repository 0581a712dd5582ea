/**
 * The watchdog service, a satellite of the DM: replicas elect a leader through a DM lease; the
 * leader takes machines' watchdog reports over HTTP ({@link
 * org.autopilot.watchdogs.service.WatchdogService}), checks them strictly, keeps what each
 * machine's watchdogs say and what the DM was told, and forwards only changes as batched
 * {@code ReportWatchdogs} commands; it judges missing reports ({@code heartbeat}) and probes
 * machines from outside over SSH ({@code ssh}, Apache MINA). It decides no policy: the DM
 * confirms errors and chooses repairs. Depends on the DM's client, commands and model, Javalin
 * and MINA SSHD; nothing in the DM depends on it.
 */
package org.autopilot.watchdogs.service;
