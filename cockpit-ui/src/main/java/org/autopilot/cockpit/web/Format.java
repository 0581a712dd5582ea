package org.autopilot.cockpit.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.stereotype.Component;

/** Formatting helpers for templates ({@code ${@fmt.ago(t)}}); times are shown in UTC. */
@Component("fmt")
public class Format {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** {@code 2026-11-22 19:20:51} (UTC), or an em dash. */
  public String time(Instant t) {
    return t == null ? "—" : TIME.format(t);
  }

  /** How long ago, e.g. {@code 3m ago}, {@code in 20s} for the future. */
  public String ago(Instant t) {
    if (t == null) {
      return "—";
    }
    Duration d = Duration.between(t, Instant.now());
    return d.isNegative() ? "in " + span(d.negated()) : span(d) + " ago";
  }

  /** A duration in its largest unit or two: {@code 45s}, {@code 3m 10s}, {@code 2h 5m}, {@code 3d 4h}. */
  public String span(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    } else if (s < 3600) {
      return s / 60 + "m " + s % 60 + "s";
    } else if (s < 86400) {
      return s / 3600 + "h " + s % 3600 / 60 + "m";
    }
    return s / 86400 + "d " + s % 86400 / 3600 + "h";
  }

  /** Milliseconds as a span. */
  public String millis(long ms) {
    return span(Duration.ofMillis(ms));
  }

  /** A CSS class for a lifecycle state or health label: {@code s-healthy}, {@code s-error}. */
  public String cls(Object labelled) {
    if (labelled == null) {
      return "s-none";
    }
    String s = labelled instanceof org.autopilot.devicemanager.model.LifecycleState l ? l.label()
        : labelled instanceof org.autopilot.devicemanager.model.Health h ? h.label()
        : labelled.toString();
    return "s-" + s.toLowerCase().replace('_', '-');
  }

  /** Bytes in KiB/MiB/GiB. */
  public String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] u = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format("%.1f %s", v, u[i]);
  }
}
