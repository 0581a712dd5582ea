package org.autopilot.deployment;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.LeaseKeeper;
import org.autopilot.devicemanager.command.AdvanceRollout;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.event.RolloutUpdated;
import org.autopilot.devicemanager.model.Rollout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout driver: a satellite with no rules of its own. While it holds the
 * {@code rollout-driver} lease it watches the fleet and sends {@link AdvanceRollout} for every
 * running rollout whenever anything changed, when the next bake ends (the rollout's
 * {@code nextCheck}), and at least every {@code tick}; the DM decides everything. Several instances may run; one drives.
 */
public final class RolloutDriver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RolloutDriver.class);
  private final DmClient dm;
  private final LeaseKeeper lease;
  private final Duration tick;
  private final InstantSource clock;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long advances;

  /** A driver named {@code holder}; starts at once. */
  public RolloutDriver(DmClient dm, String holder, Duration tick, InstantSource clock) {
    this.dm = dm;
    this.tick = tick;
    this.clock = clock;
    this.lease = new LeaseKeeper(dm, "rollout-driver", holder, Duration.ofSeconds(10), clock);
    this.thread = new Thread(this::loop, "rollout-driver-" + holder);
    thread.setDaemon(true);
    thread.start();
  }

  /** How many AdvanceRollout commands it sent (for tests and metrics). */
  public long advances() {
    return advances;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lease.release();
  }

  private void loop() {
    long index = 0;
    long renewed = 0;
    boolean leader = false;
    while (running) {
      try {
        if (System.nanoTime() - renewed > Duration.ofSeconds(3).toNanos() || !leader) {
          leader = lease.tryHold();
          renewed = System.nanoTime();
        }
        if (!leader) {
          Thread.sleep(1000);
          continue;
        }
        Instant wake = null;
        for (Rollout r : runningRollouts()) {
          CommandResult res = dm.send(new AdvanceRollout(r.machineType(), ""));
          advances++;
          if (!res.accepted()) {
            LOG.warn("advance of {} refused: {}", r.machineType(), res.reason());
          }
          Rollout now = res.events() == null ? r : res.events().stream()
              .filter(e -> e instanceof RolloutUpdated).map(e -> ((RolloutUpdated) e).rollout())
              .reduce((a, b) -> b).orElse(r);
          if (now.status() == Rollout.Status.RUNNING && now.nextCheck() != null
              && (wake == null || now.nextCheck().isBefore(wake))) {
            wake = now.nextCheck();
          }
        }
        Duration wait = tick;
        if (wake != null && wake.isAfter(clock.instant())) {
          // a bake ends before the tick: wake up just after it (a past one is no reason to spin)
          Duration untilBake = Duration.between(clock.instant(), wake).plusMillis(5);
          wait = untilBake.compareTo(tick) < 0 ? untilBake : tick;
        }
        index = dm.watch(index, wait);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.debug("rollout driver: {}", e.toString());
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private List<Rollout> runningRollouts() {
    List<Rollout> all = Json.lenient().convertValue(dm.getJson("rollouts").get("items"),
        new TypeReference<List<Rollout>>() {});
    return all.stream().filter(r -> r.status() == Rollout.Status.RUNNING).toList();
  }
}
