package org.autopilot.appmanager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a watchdog reporter's sends came to: how many were taken and why the last one was not,
 * logged once per new reason (a DM down for an hour is one line, not 720).
 */
final class ReportLog {
  private static final Logger LOG = LoggerFactory.getLogger(ReportLog.class);
  private final String machine;
  private String lastError = "";
  private int sent;

  ReportLog(String machine) {
    this.machine = machine;
  }

  /** A report was taken. */
  synchronized void taken() {
    sent++;
    lastError = "";
  }

  /** A report was not taken, for {@code why}. */
  synchronized void failed(String why) {
    if (!why.equals(lastError)) {
      LOG.warn("{}: {}", machine, why);
    }
    lastError = why;
  }

  /** How many reports were taken. */
  synchronized int sent() {
    return sent;
  }

  /** Why the last report was not taken, or empty. */
  synchronized String lastError() {
    return lastError;
  }
}
