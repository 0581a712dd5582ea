package org.autopilot.devicemanager.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.autopilot.manifests.Durations;
import org.quartz.CronExpression;

/**
 * How the DM turns watchdog reports into health and repairs, for one machine type (or the
 * {@code default} for types without their own). Data, set with {@code SetHealthPolicy}; every
 * field has a default, so {@code {}} is a valid policy.
 *
 * @param confirmReports an Error is confirmed after this many consecutive Error reports of one
 *     watchdog (1..16)
 * @param confirmAfter ... or once one watchdog has reported Error for this long
 * @param heartbeatTimeout a machine whose reports stop for this long gets an Error from the
 *     {@code heartbeat} watchdog (read by the watchdog service)
 * @param probation a repaired machine with no Error for this long is Healthy again
 * @param actionTimeout a handed-out action not reported done within this long is failed
 * @param failureWindow failures older than this are forgotten when the ladder step is chosen:
 *     a machine long healthy starts again at the bottom
 * @param ladder the action for the 1st, 2nd, ... failure inside the window; the last repeats
 * @param fatal errors that go straight to Replace, urgent
 * @param windows maintenance windows; non-urgent actions wait for one (none: any time)
 * @param breaker when failures of one rack or unit count as correlated
 */
public record HealthPolicy(
    Integer confirmReports,
    String confirmAfter,
    String heartbeatTimeout,
    String probation,
    String actionTimeout,
    String failureWindow,
    List<RepairAction> ladder,
    List<FatalRule> fatal,
    List<Window> windows,
    Breaker breaker) {

  /** The built-in policy, used where none is set. */
  public static final HealthPolicy DEFAULT = new HealthPolicy(null, null, null, null, null, null,
      null, null, null, null);

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");
  /**
   * Fatal rules' patterns, compiled once: they are matched on every evaluation of a machine in
   * Error. Only validated policies put patterns here (at most 32 per policy), so it stays small.
   */
  private static final java.util.Map<String, Pattern> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

  /** Fills defaults and validates; an invalid policy throws with what is wrong. */
  public HealthPolicy {
    confirmReports = confirmReports == null ? 3 : confirmReports;
    if (confirmReports < 1 || confirmReports > 16) {
      throw new IllegalArgumentException("confirmReports " + confirmReports + " is outside 1..16");
    }
    confirmAfter = duration(confirmAfter, "30s", "confirmAfter", Duration.ofSeconds(1), Duration.ofDays(1));
    heartbeatTimeout = duration(heartbeatTimeout, "30s", "heartbeatTimeout", Duration.ofSeconds(2), Duration.ofDays(1));
    probation = duration(probation, "2m", "probation", Duration.ofSeconds(1), Duration.ofDays(7));
    actionTimeout = duration(actionTimeout, "15m", "actionTimeout", Duration.ofSeconds(5), Duration.ofDays(1));
    failureWindow = duration(failureWindow, "24h", "failureWindow", Duration.ofMinutes(1), Duration.ofDays(90));
    if (ladder != null && ladder.stream().anyMatch(java.util.Objects::isNull)
        || fatal != null && fatal.stream().anyMatch(java.util.Objects::isNull)
        || windows != null && windows.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("ladder, fatal and windows may not contain null entries");
    }
    ladder = ladder == null ? List.of(RepairAction.DO_NOTHING, RepairAction.REBOOT,
        RepairAction.REIMAGE, RepairAction.REPLACE) : List.copyOf(ladder);
    if (ladder.isEmpty() || ladder.size() > 16) {
      throw new IllegalArgumentException("ladder must list 1..16 actions");
    }
    fatal = fatal == null ? List.of(new FatalRule("disk", "(?i)unrecoverable|i/o error"))
        : List.copyOf(fatal);
    windows = windows == null ? List.of() : List.copyOf(windows);
    if (fatal.size() > 32 || windows.size() > 16) {
      throw new IllegalArgumentException("at most 32 fatal rules and 16 windows");
    }
    breaker = breaker == null ? new Breaker(null, null, null) : breaker;
  }

  /** {@link #confirmAfter} as a duration. */
  public Duration confirmAfterDuration() {
    return Durations.parse(confirmAfter, "confirmAfter");
  }

  /** {@link #heartbeatTimeout} as a duration. */
  public Duration heartbeatTimeoutDuration() {
    return Durations.parse(heartbeatTimeout, "heartbeatTimeout");
  }

  /** {@link #probation} as a duration. */
  public Duration probationDuration() {
    return Durations.parse(probation, "probation");
  }

  /** {@link #actionTimeout} as a duration. */
  public Duration actionTimeoutDuration() {
    return Durations.parse(actionTimeout, "actionTimeout");
  }

  /** {@link #failureWindow} as a duration. */
  public Duration failureWindowDuration() {
    return Durations.parse(failureWindow, "failureWindow");
  }

  /** The fatal rule this Error matches, or null. */
  public FatalRule fatalRule(String watchdog, String text) {
    for (FatalRule r : fatal) {
      if (r.matches(watchdog, text)) {
        return r;
      }
    }
    return null;
  }

  /** Whether non-urgent actions may be handed out at {@code now}: no windows, or inside one. */
  public boolean inWindow(Instant now) {
    return windows.isEmpty() || windows.stream().anyMatch(w -> w.contains(now));
  }

  /** When the next window opens after {@code now}, or null. */
  public Instant nextWindow(Instant now) {
    return windows.stream().map(w -> w.nextStart(now)).filter(java.util.Objects::nonNull)
        .min(Instant::compareTo).orElse(null);
  }

  private static String duration(String text, String dflt, String what, Duration min, Duration max) {
    String t = text == null ? dflt : text.trim();
    Duration d = Durations.parse(t, what);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(what + " " + t + " is outside " + Durations.format(min)
          + ".." + Durations.format(max));
    }
    return t;
  }

  /**
   * Errors that need a human at once: a watchdog's Error whose text matches goes straight to
   * Replace, urgent.
   *
   * @param watchdog the watchdog name, or {@code *} for any
   * @param matches a regular expression searched in the Error text (at most 256 characters)
   */
  public record FatalRule(String watchdog, String matches) {
    /** Validates. */
    public FatalRule {
      if (watchdog == null || watchdog.isBlank() || watchdog.length() > 64) {
        throw new IllegalArgumentException("fatal rule needs a watchdog name (or *) of at most 64 characters");
      }
      if (matches == null || matches.isEmpty() || matches.length() > 256) {
        throw new IllegalArgumentException("fatal rule for " + watchdog
            + " needs 'matches', a regular expression of at most 256 characters");
      }
      try {
        Pattern.compile(matches);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("fatal rule for " + watchdog + ": bad regular expression: "
            + e.getDescription());
      }
    }

    /** Whether an Error of {@code name} with {@code text} is fatal by this rule. */
    public boolean matches(String name, String text) {
      return (watchdog.equals("*") || watchdog.equals(name)) && text != null
          && COMPILED.computeIfAbsent(matches, Pattern::compile).matcher(text).find();
    }
  }

  /**
   * A maintenance window: opens at each fire time of a Quartz cron expression (evaluated in
   * UTC) and stays open for {@code duration}.
   *
   * @param cron a Quartz cron expression, e.g. {@code 0 0 2 * * ?} (02:00 every day)
   * @param duration how long the window stays open, e.g. {@code 4h}
   */
  public record Window(String cron, String duration) {
    /** Validates. */
    public Window {
      if (cron == null || cron.length() > 128 || !CronExpression.isValidExpression(cron)) {
        throw new IllegalArgumentException("window cron '" + cron
            + "' is not a Quartz cron expression (e.g. '0 0 2 * * ?')");
      }
      HealthPolicy.duration(duration, "1h", "window duration", Duration.ofMinutes(1), Duration.ofDays(7));
      duration = duration == null ? "1h" : duration.trim();
    }

    /** Whether {@code now} is inside a window opened by this expression. */
    public boolean contains(Instant now) {
      Duration d = Durations.parse(duration, "duration");
      Date after = expression().getNextValidTimeAfter(Date.from(now.minus(d).minusMillis(1)));
      return after != null && !after.toInstant().isAfter(now);
    }

    /** The first opening strictly after {@code now}, or null. */
    public Instant nextStart(Instant now) {
      Date next = expression().getNextValidTimeAfter(Date.from(now));
      return next == null ? null : next.toInstant();
    }

    private CronExpression expression() {
      try {
        CronExpression c = new CronExpression(cron);
        c.setTimeZone(UTC);
        return c;
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The correlated-failure breaker: when at least {@code minMachines} machines and at least
   * {@code percent} of one rack or scale unit entered Failure within {@code window}, the DM
   * opens an incident and holds their repairs.
   *
   * @param percent share of the rack or unit, 1..100
   * @param minMachines fewest machines that trip it, at least 2
   * @param window how close together the failures must be
   */
  public record Breaker(Integer percent, Integer minMachines, String window) {
    /** Fills defaults and validates. */
    public Breaker {
      percent = percent == null ? 25 : percent;
      minMachines = minMachines == null ? 3 : minMachines;
      if (percent < 1 || percent > 100 || minMachines < 2 || minMachines > 100_000) {
        throw new IllegalArgumentException("breaker percent must be 1..100 and minMachines at least 2");
      }
      window = HealthPolicy.duration(window, "10m", "breaker window", Duration.ofSeconds(1), Duration.ofDays(1));
    }

    /** How many failures of a scope of {@code population} machines trip the breaker. */
    public int threshold(int population) {
      return Math.max(minMachines, (int) Math.ceil(population * percent / 100.0));
    }
  }
}
