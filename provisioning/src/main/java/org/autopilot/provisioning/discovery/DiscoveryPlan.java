package org.autopilot.provisioning.discovery;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Decides, without I/O, what one observed endpoint means against what the DM knows. Identity is
 * the machine id the endpoint answers over SSH, vouched for by its host key:
 * <ul>
 *   <li>an unknown id whose key no machine has pinned is a new machine: register it (New, with
 *       its facts, the key pinned, placed by the rules when one matches);</li>
 *   <li>a known id presenting its pinned key is that machine: nothing to do (a machine New again
 *       after {@code MarkReplaced} included: it is the same machine, not a second one), except
 *       that a machine still in New is placed as the rules say now;</li>
 *   <li>a known id presenting another key is <em>not</em> accepted: reported, the machine left
 *       alone (the DM keeps the pinned key; imaging and repair refuse to talk to the endpoint);</li>
 *   <li>an unknown id presenting a key pinned to another machine is not registered: one host key
 *       is one machine.</li>
 * </ul>
 */
public final class DiscoveryPlan {
  /** What to do about one endpoint. */
  public enum Kind {
    /** Register a new machine. */
    REGISTER,
    /** A known machine in New whose placement the rules change. */
    PLACE,
    /** A known machine, as recorded. */
    KNOWN,
    /** A known id answering with a different host key: not accepted. */
    KEY_MISMATCH,
    /** An unknown id answering with a key pinned to another machine: not registered. */
    KEY_CONFLICT,
    /** The endpoint could not be identified. */
    UNIDENTIFIED
  }

  /**
   * One decision.
   *
   * @param kind what to do
   * @param machine the machine it concerns, or null when the endpoint could not be identified
   * @param placement where the rules put it, or null (REGISTER and PLACE only)
   * @param text for logs and the DM's audit trail
   */
  public record Verdict(Kind kind, MachineId machine, Placement placement, String text) {}

  private final Map<MachineId, Machine> byId = new HashMap<>();
  private final Map<String, Machine> byKey = new HashMap<>();

  /** A plan against the DM's machines as read before the scan. */
  public DiscoveryPlan(Iterable<Machine> known) {
    for (Machine m : known) {
      byId.put(m.id(), m);
      if (m.hostKeyFingerprint() != null) {
        byKey.putIfAbsent(m.hostKeyFingerprint(), m);
      }
    }
  }

  /** The decision for {@code o}; {@code rules} places a machine by its address and facts. */
  public Verdict decide(Observation o, Function<Observation, Optional<Placement>> rules) {
    String where = o.endpoint().address();
    if (o.problem() != null || o.machineId() == null) {
      Machine byPinned = o.hostKey() == null ? null : byKey.get(o.hostKey());
      String who = byPinned == null ? "" : " (its host key is pinned to " + byPinned.id() + ")";
      return new Verdict(Kind.UNIDENTIFIED, byPinned == null ? null : byPinned.id(), null,
          where + " not identified" + who + ": " + o.problem());
    }
    MachineId id;
    try {
      id = MachineId.of(o.machineId().strip());
    } catch (IllegalArgumentException e) {
      return new Verdict(Kind.UNIDENTIFIED, null, null, where + " answered machine-id '"
          + shorten(o.machineId()) + "', which is not a machine id");
    }
    Machine m = byId.get(id);
    if (m == null) {
      Machine owner = byKey.get(o.hostKey());
      if (owner != null) {
        return new Verdict(Kind.KEY_CONFLICT, id, null, where + " answers as " + id
            + " with host key " + o.hostKey() + ", which is pinned to " + owner.id() + " ("
            + owner.address() + "); not registered: one host key is one machine");
      }
      Placement p = rules.apply(o).orElse(null);
      return new Verdict(Kind.REGISTER, id, p, "discovered at " + where + " (host key "
          + o.hostKey() + ")" + (p == null ? "; no machine-type rule matches yet"
              : "; " + describe(p)));
    }
    if (!Objects.equals(m.hostKeyFingerprint(), o.hostKey())) {
      return new Verdict(Kind.KEY_MISMATCH, id, null, "host key mismatch: " + id + " answered at "
          + where + " with " + o.hostKey() + ", the DM pinned " + m.hostKeyFingerprint()
          + "; not accepted, machine left alone");
    }
    String moved = m.address().equals(where) ? "" : "; it answers at " + where
        + ", registered at " + m.address();
    if (m.state() == LifecycleState.NEW) {
      Placement p = rules.apply(o).orElse(null);
      if (p != null && !(Objects.equals(p.machineType(), m.machineType())
          && Objects.equals(p.scaleUnit(), m.scaleUnit()) && Objects.equals(p.rack(), m.rack()))) {
        return new Verdict(Kind.PLACE, id, p, "placed by discovery: " + describe(p) + moved);
      }
    }
    return new Verdict(Kind.KNOWN, id, null, id + " known (" + m.state().label() + ")" + moved);
  }

  /** {@code type web, unit su-1, rack r1 (rule machine-types.yaml:4)}. */
  static String describe(Placement p) {
    return "type " + p.machineType() + ", unit " + p.scaleUnit() + ", rack " + p.rack()
        + " (rule " + p.rule() + ")";
  }

  private static String shorten(String s) {
    String t = s.strip().replaceAll("\\p{Cntrl}", "?");
    return t.length() > 80 ? t.substring(0, 80) + "..." : t;
  }
}
