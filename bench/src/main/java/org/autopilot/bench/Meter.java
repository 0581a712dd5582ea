package org.autopilot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.autopilot.devicemanager.core.Json;

/**
 * CPU time of the processes of a benchmark (the service, the DM replica, this JVM) and the
 * watchdog service's forwarding counters, read at one moment; two readings give rates.
 */
final class Meter {
  static final int SERVICE = 0;
  static final int DM = 1;
  static final int SELF = 2;
  private final String serviceBase;
  private final ProcessHandle service;
  private final ProcessHandle dm;
  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * One reading.
   *
   * @param nanos when ({@link System#nanoTime})
   * @param cpuNanos CPU time so far of the service, the DM and this JVM (-1 if unknown)
   * @param commands ReportWatchdogs commands the service has sent
   * @param verdicts verdicts in them
   */
  record Reading(long nanos, long[] cpuNanos, long commands, long verdicts) {
    /** CPU cores used by process {@code which} between {@code before} and this reading. */
    double cpu(Reading before, int which, double wallSeconds) {
      long a = before.cpuNanos[which];
      long b = cpuNanos[which];
      return a < 0 || b < 0 ? -1 : (b - a) / 1e9 / wallSeconds;
    }
  }

  /** A meter of these (any may be null). */
  Meter(String serviceBase, ProcessHandle service, ProcessHandle dm) {
    this.serviceBase = serviceBase;
    this.service = service;
    this.dm = dm;
  }

  /** A reading once {@code System.nanoTime()} reaches {@code atNanos}. */
  Reading readAt(long atNanos) {
    long wait;
    while ((wait = atNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
    return read();
  }

  /** A reading now. */
  Reading read() {
    long now = System.nanoTime();
    long[] cpu = {cpu(service), cpu(dm),
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()};
    long commands = -1;
    long verdicts = -1;
    if (serviceBase != null) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(serviceBase + "/api/v1/status"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode s = Json.lenient().readTree(r.body());
        commands = s.path("commandsSent").asLong();
        verdicts = s.path("verdictsForwarded").asLong();
      } catch (Exception e) {
        // counters unknown
      }
    }
    return new Reading(now, cpu, commands, verdicts);
  }

  private static long cpu(ProcessHandle p) {
    return p == null ? -1 : p.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }
}
