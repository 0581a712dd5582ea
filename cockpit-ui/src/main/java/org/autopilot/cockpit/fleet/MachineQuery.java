package org.autopilot.cockpit.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;

/**
 * A search over the mirrored machines: free text plus exact filters, sorted by id, one page. A
 * pass over 10,000 machines in memory takes well under a millisecond per filter.
 *
 * @param text words that must all appear in the id, address, type, unit, rack, repair or
 *     watchdog texts (case-insensitive), or null
 * @param state lifecycle state, or null
 * @param health health, or null
 * @param type machine type, or null
 * @param unit scale unit, or null
 * @param page page number from 1
 * @param size machines per page
 */
public record MachineQuery(String text, LifecycleState state, Health health, String type,
    String unit, int page, int size) {

  /**
   * One page of matches.
   *
   * @param items the machines of this page
   * @param total how many match in all
   * @param page this page's number
   * @param pages how many pages there are
   */
  public record Result(List<Machine> items, int total, int page, int pages) {}

  /** Runs the query over {@code machines} (in id order). */
  public Result run(Iterable<Machine> machines) {
    String[] words = text == null || text.isBlank() ? new String[0]
        : text.toLowerCase(Locale.ROOT).trim().split("\\s+");
    int from = (Math.max(1, page) - 1) * size;
    List<Machine> items = new ArrayList<>(size);
    int total = 0;
    for (Machine m : machines) {
      if (!matches(m, words)) {
        continue;
      }
      if (total >= from && items.size() < size) {
        items.add(m);
      }
      total++;
    }
    int pages = Math.max(1, (total + size - 1) / size);
    return new Result(items, total, Math.max(1, page), pages);
  }

  private boolean matches(Machine m, String[] words) {
    if (state != null && m.state() != state || health != null && m.health() != health
        || type != null && !type.equals(m.machineType()) || unit != null && !unit.equals(m.scaleUnit())) {
      return false;
    }
    for (String w : words) {
      if (!contains(m, w)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(Machine m, String w) {
    if (has(m.id().value(), w) || has(m.address(), w) || has(m.machineType(), w)
        || has(m.scaleUnit(), w) || has(m.rack(), w) || has(m.state().label(), w)) {
      return true;
    }
    if (m.repair() != null && (has(m.repair().action().label(), w) || has(m.repair().held(), w)
        || has(m.repair().reason(), w))) {
      return true;
    }
    if (m.software().running() != null && has(m.software().running().toString(), w)) {
      return true;
    }
    for (var wd : m.watchdogs().values()) {
      if (wd.status() != Health.OK && (has(wd.name(), w) || has(wd.text(), w))) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(String s, String w) {
    return s != null && s.toLowerCase(Locale.ROOT).contains(w);
  }
}
