package org.autopilot.devicemanager.model;

import static org.autopilot.devicemanager.model.LifecycleState.*;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The legal lifecycle moves, declared as data. Anything not listed here is rejected. */
public final class Transitions {
  private static final Map<LifecycleState, Set<LifecycleState>> TABLE =
      new EnumMap<>(LifecycleState.class);

  static {
    from(NEW).to(PROVISIONING, REPLACE, DECOMMISSIONED);
    from(PROVISIONING).to(BURN_IN, FAILURE, NEW);
    from(BURN_IN).to(HEALTHY, FAILURE);
    from(HEALTHY).to(PROBATION, FAILURE, REPLACE);
    from(PROBATION).to(HEALTHY, FAILURE, REPLACE);
    from(FAILURE).to(PROBATION, REPLACE);
    from(REPLACE).to(NEW, DECOMMISSIONED);
    from(DECOMMISSIONED).to();
  }

  private Transitions() {}

  /** Whether a machine in {@code from} may move to {@code to}. */
  public static boolean allowed(LifecycleState from, LifecycleState to) {
    return TABLE.get(from).contains(to);
  }

  /** The states reachable in one move from {@code from}. */
  public static Set<LifecycleState> targets(LifecycleState from) {
    return Collections.unmodifiableSet(TABLE.get(from));
  }

  private static Builder from(LifecycleState from) {
    return targets -> TABLE.put(from,
        targets.length == 0 ? EnumSet.noneOf(LifecycleState.class) : EnumSet.of(targets[0], targets));
  }

  private interface Builder {
    void to(LifecycleState... targets);
  }
}
