package org.autopilot.repair.plan;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.model.RepairAction;

/**
 * The command line run for each repair action, per machine type: a type's own entry wins, then
 * the {@code default} entry, then the built-in {@code reboot}, {@code reimage {image}},
 * {@code power off} (what the simulated fleet understands). A real site points these at its
 * IPMI or PXE tooling. Placeholders: {@code {machine}}, {@code {address}}, {@code {image}},
 * {@code {type}}, {@code {repair}}. Substituted values must be made of characters that mean
 * nothing to a shell; anything else refuses to render, so a strange image name cannot become a
 * second command.
 */
public final class CommandMap {
  /** The entry that applies to every type without its own. */
  public static final String DEFAULT = "default";
  /** The placeholders a template may use. */
  public static final Set<String> PLACEHOLDERS = Set.of("machine", "address", "image", "type", "repair");
  /** What runs when nothing is configured. */
  public static final Map<RepairAction, String> BUILT_IN = Collections.unmodifiableMap(new EnumMap<>(Map.of(
      RepairAction.REBOOT, "reboot",
      RepairAction.REIMAGE, "reimage {image}",
      RepairAction.REPLACE, "power off")));
  private static final int MAX_TEMPLATE = 1024;
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=,\\[\\]-]+");
  private static final Pattern SCOPE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private final Map<String, Map<RepairAction, String>> byType;

  private CommandMap(Map<String, Map<RepairAction, String>> byType) {
    this.byType = byType;
  }

  /** Only the built-in commands. */
  public static CommandMap builtIn() {
    return new CommandMap(Map.of());
  }

  /**
   * Reads the configuration form, {@code {default: {Reboot: "..."}, web: {...}}}; null means
   * built-in only. Throws naming the entry ({@code commands.web.Reboot}) that is wrong.
   */
  public static CommandMap of(Map<String, Map<String, String>> raw) {
    Map<String, Map<RepairAction, String>> out = new TreeMap<>();
    if (raw == null) {
      return builtIn();
    }
    for (Map.Entry<String, Map<String, String>> type : raw.entrySet()) {
      String scope = type.getKey();
      if (scope == null || !SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException("commands: '" + scope + "' is not a machine type name");
      }
      Map<RepairAction, String> actions = new EnumMap<>(RepairAction.class);
      for (Map.Entry<String, String> e : (type.getValue() == null ? Map.<String, String>of()
          : type.getValue()).entrySet()) {
        String where = "commands." + scope + "." + e.getKey();
        RepairAction a;
        try {
          a = RepairAction.parse(e.getKey());
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(where + ": " + bad.getMessage());
        }
        if (a == RepairAction.DO_NOTHING) {
          throw new IllegalArgumentException(where + ": DoNothing runs no command");
        }
        actions.put(a, checkTemplate(where, e.getValue()));
      }
      out.put(scope, Collections.unmodifiableMap(actions));
    }
    return new CommandMap(Collections.unmodifiableMap(out));
  }

  /** The template for {@code action} on a machine of {@code machineType} (may be null). */
  public String template(String machineType, RepairAction action) {
    Map<RepairAction, String> own = machineType == null ? null : byType.get(machineType);
    if (own != null && own.containsKey(action)) {
      return own.get(action);
    }
    Map<RepairAction, String> dflt = byType.get(DEFAULT);
    if (dflt != null && dflt.containsKey(action)) {
      return dflt.get(action);
    }
    String built = BUILT_IN.get(action);
    if (built == null) {
      throw new IllegalArgumentException(action.label() + " runs no command");
    }
    return built;
  }

  /**
   * The command line for {@code item}'s repair; throws with a reason a human can act on when a
   * placeholder has no value or a value is not safe on a command line.
   */
  public String render(RepairItem item) {
    String template = template(item.machineType(), item.repair().action());
    Map<String, String> values = new LinkedHashMap<>();
    values.put("machine", item.machine().value());
    values.put("address", item.address());
    values.put("image", item.image());
    values.put("type", item.machineType());
    values.put("repair", Long.toString(item.repair().id()));
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String v = values.get(name);
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException("{" + name + "} has no value for " + item.machine()
            + (name.equals("image") ? " (its machine type " + item.machineType() + " has no image)" : ""));
      }
      if (!SAFE.matcher(v).matches()) {
        throw new IllegalArgumentException("{" + name + "} of " + item.machine() + " is '" + v
            + "', which has characters that are not safe on a command line");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Every configured entry, by type and action (the built-ins are not listed). */
  public Map<String, Map<RepairAction, String>> entries() {
    return byType;
  }

  private static String checkTemplate(String where, String template) {
    if (template == null || template.isBlank() || template.length() > MAX_TEMPLATE) {
      throw new IllegalArgumentException(where + ": a command of 1.." + MAX_TEMPLATE
          + " characters is required");
    }
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!PLACEHOLDERS.contains(m.group(1))) {
        throw new IllegalArgumentException(where + ": unknown placeholder {" + m.group(1)
            + "}; known: " + new java.util.TreeSet<>(PLACEHOLDERS));
      }
    }
    return template.trim();
  }
}
