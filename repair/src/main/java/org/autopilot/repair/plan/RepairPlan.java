package org.autopilot.repair.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.api.FleetQueries.RepairQueue;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.devicemanager.model.RepairAction;

/**
 * Which repairs of the DM's queue the leader takes now, oldest first, at most as many as it has
 * free slots. Pure: the DM judges every step again (lease, epoch, budgets, windows, incidents),
 * so a plan made from a slightly old queue is at worst refused.
 */
public final class RepairPlan {
  private RepairPlan() {}

  /** How a repair is taken. */
  public enum Kind {
    /** Waiting and not held: claim it, then start it. */
    CLAIM,
    /**
     * Claimed but no longer startable by its claimer (another holder or an older lease epoch:
     * the claimer died or gave the lease up before acting): claim it again, then start it.
     */
    RECLAIM,
    /**
     * Claimed by this holder under the current epoch, but not being worked on here (this replica
     * restarted under the same name before starting it): start it without claiming.
     */
    RESUME
  }

  /**
   * One repair to take.
   *
   * @param kind how
   * @param item the queue entry: machine, address, pinned host key, type, image, repair
   */
  public record Step(Kind kind, RepairItem item) {}

  /**
   * The steps for the lease holder {@code holder} at lease epoch {@code epoch}.
   *
   * @param queue the DM's repair queue, oldest repair first
   * @param busy ids of the repairs this replica is working on now (never taken twice)
   * @param slots how many more it may work on at once
   */
  public static List<Step> next(RepairQueue queue, String holder, long epoch, Set<Long> busy, int slots) {
    List<Step> out = new ArrayList<>();
    for (RepairItem item : queue.items()) {
      if (out.size() >= slots) {
        break;
      }
      Repair r = item.repair();
      if (busy.contains(r.id()) || r.action() == RepairAction.DO_NOTHING) {
        continue;
      }
      Kind kind = kind(item, r, holder, epoch);
      if (kind != null) {
        out.add(new Step(kind, item));
      }
    }
    return out;
  }

  private static Kind kind(RepairItem item, Repair r, String holder, long epoch) {
    switch (r.status()) {
      case WAITING:
        return r.held() == null && item.state() == LifecycleState.FAILURE ? Kind.CLAIM : null;
      case CLAIMED:
        if (holder.equals(r.holder()) && r.epoch() == epoch) {
          return Kind.RESUME;
        }
        // If our own view of the lease is the old one, the DM refuses the claim: no harm.
        return Kind.RECLAIM;
      default:
        // Started: never again, whoever started it. Done, Failed, Healed: nothing to do.
        return null;
    }
  }
}
