package org.autopilot.devicemanager.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachineReplaced;
import org.autopilot.devicemanager.event.MachineSilenced;
import org.autopilot.devicemanager.event.ProvisioningReported;
import org.autopilot.devicemanager.event.RepairDecided;
import org.autopilot.devicemanager.event.RepairUpdated;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.event.HealthChanged;
import org.autopilot.devicemanager.event.ManifestActivated;
import org.autopilot.devicemanager.event.ManifestAssigned;
import org.autopilot.devicemanager.event.ManifestUnassigned;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.event.MachineRegistered;
import org.autopilot.devicemanager.event.SoftwareReported;
import org.autopilot.devicemanager.event.StateChanged;
import org.autopilot.devicemanager.model.Fleet;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;

/** Read-side queries over one fleet version: filters and pages, no I/O. */
public final class FleetQueries {
  /** Largest page a caller may ask for. */
  public static final int MAX_LIMIT = 10_000;

  private FleetQueries() {}

  /**
   * One page of a listing.
   *
   * @param index the fleet revision the page was read at
   * @param total how many items match the filter in all
   * @param items this page
   * @param next the cursor for the next page ({@code after=}), null on the last page
   * @param <T> item type
   */
  public record Page<T>(long index, int total, List<T> items, String next) {}

  /**
   * One page of the audit trail (a concrete type, so each event keeps its JSON {@code type}).
   *
   * @param index the fleet revision the page was read at
   * @param total how many events match in all
   * @param items this page, oldest first
   * @param next the cursor for the next page ({@code after=}), null on the last page
   */
  public record EventPage(long index, int total, List<DmEvent> items, String next) {}

  /**
   * A machine filter; null fields match anything.
   *
   * @param state lifecycle state
   * @param health health
   * @param machineType machine type name
   * @param scaleUnit scale unit name
   */
  public record MachineFilter(LifecycleState state, Health health, String machineType, String scaleUnit)
      implements Predicate<Machine> {
    @Override
    public boolean test(Machine m) {
      return (state == null || m.state() == state)
          && (health == null || m.health() == health)
          && (machineType == null || machineType.equals(m.machineType()))
          && (scaleUnit == null || scaleUnit.equals(m.scaleUnit()));
    }
  }

  /** Machines matching {@code filter}, sorted by id, starting after id {@code after}. */
  public static Page<Machine> machines(Fleet fleet, MachineFilter filter, String after, int limit) {
    Map<MachineId, Machine> from = after == null ? fleet.machines()
        : fleet.machines().tailMap(MachineId.of(after), false);
    List<Machine> items = new ArrayList<>(Math.min(limit, 256));
    int total = 0;
    if (after != null) {
      for (Machine m : fleet.machines().headMap(MachineId.of(after), true).values()) {
        total += filter.test(m) ? 1 : 0;
      }
    }
    String next = null;
    for (Machine m : from.values()) {
      if (!filter.test(m)) {
        continue;
      }
      total++;
      if (items.size() < limit) {
        items.add(m);
      } else if (next == null) {
        next = items.get(items.size() - 1).id().value();
      }
    }
    return new Page<>(fleet.revision(), total, items, next);
  }

  /** Audit events with revision above {@code after}, optionally only those about one machine. */
  public static EventPage events(Fleet fleet, long after, MachineId machine, int limit) {
    List<DmEvent> items = new ArrayList<>(Math.min(limit, 256));
    String next = null;
    int total = 0;
    for (DmEvent e : fleet.events().tailMap(after, false).values()) {
      if (machine != null && !machine.equals(subject(e))) {
        continue;
      }
      total++;
      if (items.size() < limit) {
        items.add(e);
      } else if (next == null) {
        next = Long.toString(items.get(items.size() - 1).revision());
      }
    }
    return new EventPage(fleet.revision(), total, items, next);
  }

  /** The machine an event is about, or null for fleet-wide events. */
  public static MachineId subject(DmEvent e) {
    if (e instanceof MachineRegistered r) {
      return r.machine().id();
    } else if (e instanceof StateChanged s) {
      return s.machine();
    } else if (e instanceof HealthChanged h) {
      return h.machine();
    } else if (e instanceof MachinePlaced p) {
      return p.machine();
    } else if (e instanceof ManifestAssigned a) {
      return a.machine();
    } else if (e instanceof ManifestUnassigned u) {
      return u.machine();
    } else if (e instanceof ManifestActivated a) {
      return a.machine();
    } else if (e instanceof SoftwareReported r) {
      return r.machine();
    } else if (e instanceof org.autopilot.devicemanager.event.MachineKicked k) {
      return k.machine();
    } else if (e instanceof WatchdogsReported w) {
      return w.machine();
    } else if (e instanceof RepairUpdated r) {
      return r.machine();
    } else if (e instanceof RepairDecided d) {
      return d.machine();
    } else if (e instanceof MachineSilenced s) {
      return s.machine();
    } else if (e instanceof MachineReplaced r) {
      return r.machine();
    } else if (e instanceof ProvisioningReported p) {
      return p.machine();
    } else if (e instanceof org.autopilot.devicemanager.event.HostKeyPinned k) {
      return k.machine();
    } else if (e instanceof org.autopilot.devicemanager.event.IncidentUpdated i
        && i.incident().scope().startsWith("machine:") && i.incident().machines().size() == 1) {
      return i.incident().machines().get(0);
    }
    return null;
  }

  /**
   * A machine with a repair under way or waiting, as the repair service and operators see it.
   *
   * @param machine its id
   * @param state its lifecycle state
   * @param machineType its type, or null
   * @param scaleUnit its scale unit, or null
   * @param rack its rack, or null
   * @param address its management address
   * @param hostKeyFingerprint the SSH host key pinned for it
   * @param image the OS image of its type, or null
   * @param repair the repair
   */
  public record RepairItem(MachineId machine, LifecycleState state, String machineType,
      String scaleUnit, String rack, String address, String hostKeyFingerprint, String image,
      org.autopilot.devicemanager.model.Repair repair) {}

  /**
   * The repair queue.
   *
   * @param index the fleet revision it was read at
   * @param items every machine whose repair is not over, oldest repair first
   */
  public record RepairQueue(long index, List<RepairItem> items) {}

  /** Every machine whose repair is not over (waiting, handed out, or in probation after it). */
  public static RepairQueue repairs(Fleet f) {
    List<RepairItem> items = new ArrayList<>();
    for (Machine m : f.machines().values()) {
      if (m.repair() != null && m.repair().active()) {
        var type = m.machineType() == null ? null : f.machineTypes().get(m.machineType());
        items.add(new RepairItem(m.id(), m.state(), m.machineType(), m.scaleUnit(), m.rack(),
            m.address(), m.hostKeyFingerprint(), type == null ? null : type.image(), m.repair()));
      }
    }
    items.sort(java.util.Comparator.comparingLong((RepairItem r) -> r.repair().id()));
    return new RepairQueue(f.revision(), items);
  }

  /**
   * One page of the decision log.
   *
   * @param index the fleet revision it was read at
   * @param items the entries, oldest first
   * @param next the cursor for the next page ({@code after=}), null on the last page
   */
  public record DecisionPage(long index, List<org.autopilot.devicemanager.model.RepairDecision> items,
      String next) {}

  /** Decision-log entries after revision {@code after}, of one machine or all, oldest first. */
  public static DecisionPage decisions(Fleet f, long after, MachineId machine, int limit) {
    List<org.autopilot.devicemanager.model.RepairDecision> items = new ArrayList<>();
    String next = null;
    for (var d : f.decisions().tailMap(after, false).values()) {
      if (machine != null && !machine.equals(d.machine())) {
        continue;
      }
      if (items.size() == limit) {
        next = Long.toString(items.get(items.size() - 1).revision());
        break;
      }
      items.add(d);
    }
    return new DecisionPage(f.revision(), items, next);
  }
}
