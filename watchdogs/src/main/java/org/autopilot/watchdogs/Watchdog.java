package org.autopilot.watchdogs;

/**
 * One check of the machine it runs on: a built-in (disk, memory), one the app-manager registers
 * (manifest integrity, app liveness, heartbeat) or a script in the watchdog directory. The
 * {@link WatchdogRunner} calls {@link #check()} once per round, never twice at once.
 */
public interface Watchdog {
  /** Its name in reports: matches {@link WatchdogName#PATTERN} and is unique on the machine. */
  String name();

  /**
   * Looks once. Should not throw: what it cannot tell is {@code Unknown} with the reason; a
   * runtime exception still becomes Unknown in the runner.
   */
  WatchdogResult check() throws InterruptedException;
}
