package org.autopilot.provisioning.rules;

import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a machine-type rules file ({@code machine-types.yaml}) strictly: unknown or duplicate
 * keys, anchors and aliases, a missing {@code type}, a bad address block, port, bound or name are
 * refused with the file, line and column. Thread-safe. The format:
 *
 * <pre>
 * rules:
 *   - name: lab-db                 # optional
 *     match:                       # optional; every condition given must hold
 *       address: 10.0.1.0/24       # a block or a list of blocks
 *       ports: ["7301-7304", 22]   # ports and ranges
 *       cpus: "&gt;= 8"               # N, &gt;=N, &gt;N, &lt;=N, &lt;N, N-M
 *       memory: "&gt;= 16GiB"         # the same, in bytes, KiB, MiB, GiB, TiB
 *       disks: [sda, sdb]          # all present
 *     type: db                     # required
 *     unit: su-1                   # optional
 *     rack: r1                     # optional
 * </pre>
 */
public final class RulesParser {
  /** Largest file accepted. */
  public static final int MAX_BYTES = 1 << 20;
  /** Deepest nesting of lists and mappings accepted (the format needs 4). */
  public static final int MAX_DEPTH = 32;
  /** Most rules in one file. */
  public static final int MAX_RULES = 10_000;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  private static final Pattern RACK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
  private static final Pattern PORTS = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
  private static final Pattern BOUND = Pattern.compile(
      "(>=|<=|>|<)?\\s*(\\d{1,19})\\s*([KMGT]iB|B)?(?:\\s*-\\s*(\\d{1,19})\\s*([KMGT]iB|B)?)?");
  private static final Set<String> RULE_KEYS = Set.of("name", "match", "type", "unit", "rack");
  private static final Set<String> MATCH_KEYS = Set.of("address", "ports", "cpus", "memory", "disks");

  private final String file;

  private RulesParser(String file) {
    this.file = file;
  }

  /** Reads rules from {@code yaml}; {@code file} names the source in errors and placements. */
  public static MachineTypeRules parse(byte[] yaml, String file) throws RulesException {
    return new RulesParser(file).read(yaml);
  }

  private MachineTypeRules read(byte[] yaml) throws RulesException {
    if (yaml.length > MAX_BYTES) {
      throw new RulesException(file, 0, 0, "is " + yaml.length + " bytes; at most " + MAX_BYTES);
    }
    LoaderOptions opts = new LoaderOptions();
    opts.setAllowDuplicateKeys(false);
    opts.setMaxAliasesForCollections(0);
    opts.setCodePointLimit(MAX_BYTES);
    Node root;
    try {
      int depth = 0;
      for (Event e : new Yaml(opts).parse(reader(yaml))) {
        if (e instanceof AliasEvent || e instanceof NodeEvent n && n.getAnchor() != null) {
          throw at(e.getStartMark(), "YAML anchors and aliases (& and *) are not allowed");
        }
        // refused here, at the first level too deep: SnakeYAML's own limit (50, when composing)
        // comes only after the whole document is scanned, which takes seconds for '[[[[...'
        if (e instanceof CollectionStartEvent && ++depth > MAX_DEPTH) {
          throw at(e.getStartMark(), "nesting depth is more than " + MAX_DEPTH);
        } else if (e instanceof CollectionEndEvent) {
          depth--;
        }
      }
      root = new Yaml(opts).compose(reader(yaml));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw at(m, "not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new RulesException(file, 0, 0, "not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      throw new RulesException(file, 0, 0, "the document is empty; it needs 'rules:'");
    }
    Map<String, NodeTuple> top = mapping(root, Set.of("rules"), "the document");
    NodeTuple rulesKey = top.get("rules");
    if (rulesKey == null) {
      throw at(root.getStartMark(), "'rules' is missing");
    }
    Node list = rulesKey.getValueNode();
    if (list instanceof ScalarNode s && s.getValue().isEmpty()) {
      return new MachineTypeRules(file, List.of());
    }
    if (!(list instanceof SequenceNode seq)) {
      throw at(list.getStartMark(), "'rules' must be a list");
    }
    if (seq.getValue().size() > MAX_RULES) {
      throw at(list.getStartMark(), "more than " + MAX_RULES + " rules");
    }
    List<MachineTypeRules.Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node n : seq.getValue()) {
      MachineTypeRules.Rule r = rule(n);
      if (r.name() != null && !names.add(r.name())) {
        throw at(n.getStartMark(), "rule name '" + r.name() + "' is used twice");
      }
      rules.add(r);
    }
    return new MachineTypeRules(file, rules);
  }

  private MachineTypeRules.Rule rule(Node n) throws RulesException {
    Map<String, NodeTuple> m = mapping(n, RULE_KEYS, "a rule");
    String name = optional(m, "name", RACK, "a name like lab-db");
    String type = optional(m, "type", NAME, "a machine type name like web");
    if (type == null) {
      throw at(n.getStartMark(), "the rule has no 'type'");
    }
    String unit = optional(m, "unit", NAME, "a scale unit name like su-1");
    String rack = optional(m, "rack", RACK, "a rack label like r12");
    Match match = m.containsKey("match") ? match(m.get("match").getValueNode()) : Match.ANY;
    return new MachineTypeRules.Rule(name, n.getStartMark().getLine() + 1, match, type, unit, rack);
  }

  private Match match(Node n) throws RulesException {
    Map<String, NodeTuple> m = mapping(n, MATCH_KEYS, "'match'");
    List<Match.Block> blocks = new ArrayList<>();
    for (ScalarNode s : scalars(m.get("address"), "address")) {
      try {
        blocks.add(Match.Block.parse(s.getValue()));
      } catch (IllegalArgumentException e) {
        throw at(s.getStartMark(), "address: " + e.getMessage());
      }
    }
    List<Match.Ports> ports = new ArrayList<>();
    for (ScalarNode s : scalars(m.get("ports"), "ports")) {
      Matcher pm = PORTS.matcher(s.getValue().trim());
      int from = pm.matches() ? Integer.parseInt(pm.group(1)) : -1;
      int to = pm.matches() && pm.group(2) != null ? Integer.parseInt(pm.group(2)) : from;
      if (from < 1 || to > 65535 || from > to) {
        throw at(s.getStartMark(), "ports: '" + s.getValue() + "' is not a port or a range like 7301-7400 in 1..65535");
      }
      ports.add(new Match.Ports(from, to)); // as a range: "1-65535" on every rule stays small
    }
    List<String> disks = new ArrayList<>();
    for (ScalarNode s : scalars(m.get("disks"), "disks")) {
      if (!RACK.matcher(s.getValue()).matches()) {
        throw at(s.getStartMark(), "disks: '" + s.getValue() + "' is not a disk name like sda");
      }
      disks.add(s.getValue());
    }
    return new Match(blocks, ports, bounds(m.get("cpus"), "cpus", false),
        bounds(m.get("memory"), "memory", true), disks);
  }

  private Match.Bounds bounds(NodeTuple t, String key, boolean bytes) throws RulesException {
    if (t == null) {
      return null;
    }
    Node n = t.getValueNode();
    if (!(n instanceof ScalarNode s)) {
      throw at(n.getStartMark(), key + " must be a bound like \">= 8\"");
    }
    Matcher m = BOUND.matcher(s.getValue().trim());
    if (!m.matches() || (!bytes && (m.group(3) != null || m.group(5) != null))
        || (m.group(1) != null && m.group(4) != null)) {
      throw at(s.getStartMark(), key + ": '" + s.getValue() + "' is not a bound like 8, >= 8, < 64 or 4-16"
          + (bytes ? " (units B, KiB, MiB, GiB, TiB)" : ""));
    }
    try {
      long a = times(m.group(2), m.group(3));
      if (m.group(4) != null) {
        long b = times(m.group(4), m.group(5) != null ? m.group(5) : m.group(3));
        if (a > b) {
          throw at(s.getStartMark(), key + ": '" + s.getValue() + "' runs high to low");
        }
        return new Match.Bounds(a, b);
      }
      String op = m.group(1) == null ? "=" : m.group(1);
      return switch (op) {
        case ">=" -> new Match.Bounds(a, null);
        case ">" -> new Match.Bounds(Math.addExact(a, 1), null);
        case "<=" -> new Match.Bounds(null, a);
        case "<" -> new Match.Bounds(null, Math.subtractExact(a, 1));
        default -> new Match.Bounds(a, a);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      throw at(s.getStartMark(), key + ": '" + s.getValue() + "' is too large");
    }
  }

  private static long times(String digits, String unit) {
    long v = Long.parseLong(digits);
    int shift = unit == null || unit.equals("B") ? 0 : switch (unit.charAt(0)) {
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      default -> 40;
    };
    if (shift > 0 && v > (Long.MAX_VALUE >> shift)) {
      throw new ArithmeticException("overflow");
    }
    return v << shift;
  }

  /** The keys of a mapping node, refusing keys not in {@code known} and non-scalar keys. */
  private Map<String, NodeTuple> mapping(Node n, Set<String> known, String what) throws RulesException {
    if (!(n instanceof MappingNode mn)) {
      throw at(n.getStartMark(), what + " must be a mapping with keys " + new TreeSet<>(known));
    }
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    for (NodeTuple t : mn.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw at(t.getKeyNode().getStartMark(), "keys must be plain words");
      }
      if (!known.contains(k.getValue())) {
        throw at(k.getStartMark(), "unknown key '" + k.getValue() + "' in " + what + "; known keys: "
            + new TreeSet<>(known));
      }
      if (out.put(k.getValue(), t) != null) {
        throw at(k.getStartMark(), "duplicate key '" + k.getValue() + "' in " + what);
      }
    }
    return out;
  }

  private String optional(Map<String, NodeTuple> m, String key, Pattern p, String like) throws RulesException {
    NodeTuple t = m.get(key);
    if (t == null) {
      return null;
    }
    Node n = t.getValueNode();
    if (!(n instanceof ScalarNode s) || !p.matcher(s.getValue()).matches()) {
      throw at(n.getStartMark(), key + " must be " + like + (n instanceof ScalarNode s2
          ? ", not '" + s2.getValue() + "'" : ""));
    }
    return s.getValue();
  }

  /** A scalar or a list of scalars; empty when absent. */
  private List<ScalarNode> scalars(NodeTuple t, String key) throws RulesException {
    if (t == null) {
      return List.of();
    }
    Node n = t.getValueNode();
    if (n instanceof ScalarNode s) {
      return List.of(s);
    }
    if (n instanceof SequenceNode seq) {
      List<ScalarNode> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        if (!(item instanceof ScalarNode s)) {
          throw at(item.getStartMark(), key + " must list plain values");
        }
        out.add(s);
      }
      return out;
    }
    throw at(n.getStartMark(), key + " must be a value or a list of values");
  }

  private RulesException at(Mark m, String problem) {
    return new RulesException(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1,
        problem);
  }

  private static Reader reader(byte[] yaml) {
    return new InputStreamReader(new ByteArrayInputStream(yaml), StandardCharsets.UTF_8);
  }
}
