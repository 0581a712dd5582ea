package org.autopilot.provisioning.rules;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force: re-read from their source at most every {@code refresh}; a file that cannot
 * be read or parsed leaves the last good rules in force and is reported (logged once per
 * distinct problem, and kept in {@link #problem()}). Thread-safe.
 */
public final class RulesKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(RulesKeeper.class);
  private final RulesSource source;
  private final Duration refresh;
  private final InstantSource clock;
  private MachineTypeRules current = MachineTypeRules.NONE;
  private String problem;
  private Instant readAt = Instant.MIN;

  /** Rules from {@code source}, re-read at most every {@code refresh}; null source: none. */
  public RulesKeeper(RulesSource source, Duration refresh, InstantSource clock) {
    this.source = source;
    this.refresh = refresh;
    this.clock = clock;
  }

  /** The rules in force, re-read first if due. */
  public synchronized MachineTypeRules current() {
    Instant now = clock.instant();
    if (source != null && !now.isBefore(readAt.plus(refresh))) {
      readAt = now;
      try {
        MachineTypeRules r = source.read();
        if (!r.equals(current)) {
          LOG.info("machine-type rules: {} rules from {}", r.rules().size(), r.source());
        }
        current = r;
        problem = null;
      } catch (RulesException | IOException | RuntimeException e) {
        String p = e.getMessage();
        if (!p.equals(problem)) {
          LOG.warn("machine-type rules from {} not taken; the last good ones ({}) stay in force: {}",
              source.describe(), current.source(), p);
        }
        problem = p;
      }
    }
    return current;
  }

  /** Why the latest read failed, or null. */
  public synchronized String problem() {
    return problem;
  }
}
