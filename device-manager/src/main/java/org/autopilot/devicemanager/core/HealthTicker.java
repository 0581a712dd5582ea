package org.autopilot.devicemanager.core;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.autopilot.devicemanager.command.EvaluateHealth;
import org.autopilot.devicemanager.command.Proposal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets time pass for the health policy. On the leader only, every {@code interval} it asks the
 * rules what an {@link EvaluateHealth} would change now (a pure look at its own fleet) and
 * proposes one only when something is due: a probation ends, an Error has lasted long enough, an
 * action timed out, a maintenance window opened. The command is decided again at its committed
 * time like any other, so replicas stay deterministic; nothing is proposed on a quiet fleet.
 */
public final class HealthTicker implements AutoCloseable {
  /** The actor named in the audit trail for these commands. */
  public static final String ACTOR = "dm:health";
  private static final Logger LOG = LoggerFactory.getLogger(HealthTicker.class);
  private final Replica replica;
  private final Function<Proposal, CompletableFuture<CommandResult>> submit;
  private final InstantSource clock;
  private final FleetStateMachine rules = new FleetStateMachine();
  private final ScheduledExecutorService timer;
  private volatile CompletableFuture<CommandResult> inFlight = CompletableFuture.completedFuture(null);

  /** Starts ticking. */
  public HealthTicker(Replica replica, Function<Proposal, CompletableFuture<CommandResult>> submit,
      InstantSource clock, Duration interval) {
    this.replica = replica;
    this.submit = submit;
    this.clock = clock;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "health-ticker-" + replica.id());
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      if (!inFlight.isDone() || !replica.status().leading()) {
        return;
      }
      Proposal p = new Proposal(ACTOR, new EvaluateHealth("time passed"));
      Decision d = rules.decide(replica.ledger().current(), p, clock.instant());
      if (d instanceof Decision.Accepted a && !a.events().isEmpty()) {
        inFlight = submit.apply(p);
      }
    } catch (RuntimeException e) {
      LOG.warn("health tick failed", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

}
