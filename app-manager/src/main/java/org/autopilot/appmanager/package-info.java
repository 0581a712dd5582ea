/**
 * The app-manager: the daemon on every machine (simulated or a real Linux host). It watches its
 * machine in the Device Manager, pre-loads every assigned manifest (files fetched through
 * filesync, each verified by SHA-256, laid out under one directory per manifest), runs only the
 * active manifest's apps, restarts crashed ones with exponential backoff, swaps manifests
 * stop-old/switch/start-new, and reports what it holds and runs. It also runs the machine's
 * watchdogs (the built-ins, its own {@code manifest}, {@code apps} and {@code heartbeat} checks,
 * and the scripts of the watchdog directory) and reports their verdicts to the DM or the
 * watchdog service. Plain Java; depends on the DM client, the manifest format, filesync and the
 * watchdogs module, never on the DM's replication engine.
 */
package org.autopilot.appmanager;
