package org.autopilot.provisioning.rules;

import java.util.List;
import java.util.Optional;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.provisioning.discovery.Placement;

/**
 * The machine-type rules of one file, in file order: the first rule whose {@link Match} holds
 * places the machine (Autopilot's static mapping from hardware to type). Immutable.
 *
 * @param source where they were read (a file, or {@code path@commit} in git)
 * @param rules in file order
 */
public record MachineTypeRules(String source, List<Rule> rules) {
  /** No rules: nothing is placed. */
  public static final MachineTypeRules NONE = new MachineTypeRules("(no rules)", List.of());

  /** Copies. */
  public MachineTypeRules {
    rules = List.copyOf(rules);
  }

  /**
   * One rule.
   *
   * @param name its name, or null
   * @param line the line it starts on
   * @param match what a machine must be like
   * @param machineType the type it gets, {@code [a-z0-9][a-z0-9-]*}
   * @param scaleUnit the scale unit it goes to, or null
   * @param rack its rack label, or null
   */
  public record Rule(String name, int line, Match match, String machineType, String scaleUnit, String rack) {}

  /** Where the first matching rule puts a machine at {@code host}:{@code port} with {@code facts}. */
  public Optional<Placement> place(String host, int port, MachineFacts facts) {
    for (Rule r : rules) {
      if (r.match().test(host, port, facts)) {
        return Optional.of(new Placement(r.machineType(), r.scaleUnit(), r.rack(),
            source + ":" + r.line() + (r.name() == null ? "" : " " + r.name())));
      }
    }
    return Optional.empty();
  }
}
