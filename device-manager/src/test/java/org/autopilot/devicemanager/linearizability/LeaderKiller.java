package org.autopilot.devicemanager.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.devicemanager.server.LocalCluster;

/**
 * The nemesis: until its deadline, waits a seeded while, kills the replica that leads, lets the
 * others run without it for a while, and starts it again from its data. Every replica is running
 * when {@link #run} returns.
 */
final class LeaderKiller implements Runnable {
  private final LocalCluster cluster;
  private final Random random;
  private final long end;
  private final List<String> killed = new ArrayList<>();
  private volatile Throwable failure;

  /** Kills leaders of {@code cluster} until {@code endNanos} ({@link System#nanoTime()}). */
  LeaderKiller(LocalCluster cluster, long seed, long endNanos) {
    this.cluster = cluster;
    this.random = new Random(seed);
    this.end = endNanos;
  }

  @Override
  public void run() {
    try {
      while (end - System.nanoTime() > 6_000_000_000L) {
        Thread.sleep(3_000 + random.nextInt(2_000));
        Optional<DmServer> leader = cluster.leader(5_000);
        if (leader.isEmpty()) {
          continue;
        }
        String id = leader.get().config().id();
        cluster.kill(id);
        killed.add(id);
        Thread.sleep(800 + random.nextInt(1_200));
        cluster.restart(id);
      }
    } catch (Throwable e) {
      failure = e;
    } finally {
      try {
        cluster.start();
      } catch (Exception e) {
        failure = failure == null ? e : failure;
      }
    }
  }

  /** The replicas killed, in order. */
  List<String> killed() {
    return killed;
  }

  /** What went wrong in the nemesis itself, if anything. */
  Throwable failure() {
    return failure;
  }
}
