package org.autopilot.watchdogs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.model.Health;

/**
 * Reads a plugin's exit status and output by the Nagios plugin protocol:
 * <pre>
 *   TEXT | PERFDATA
 *   LONG TEXT LINE 1
 *   LONG TEXT LINE N | PERFDATA LINE 2
 *   PERFDATA LINE 3
 * </pre>
 * The status comes from the exit status alone; the text never changes it. Output beyond
 * {@link #MAX_OUTPUT} bytes is cut off. Never throws: unreadable parts become problems.
 */
public final class NagiosOutput {
  /** Most output bytes read from one run. */
  public static final int MAX_OUTPUT = 8 * 1024;
  private static final Pattern VALUE = Pattern.compile("(-?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|U)([a-zA-Z%]*)");
  private static final java.util.Set<String> UNITS =
      java.util.Set.of("", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c");

  private NagiosOutput() {}

  /** The verdict of an exit status. */
  public static Health status(int exit) {
    return switch (exit) {
      case 0 -> Health.OK;
      case 1 -> Health.WARNING;
      case 2 -> Health.ERROR;
      default -> Health.UNKNOWN;
    };
  }

  /** Parses one run's exit status and output. */
  public static WatchdogResult parse(int exit, byte[] output) {
    List<String> problems = new ArrayList<>();
    byte[] out = output;
    if (out.length > MAX_OUTPUT) {
      problems.add("output cut at " + MAX_OUTPUT + " of " + out.length + " bytes");
      out = java.util.Arrays.copyOf(out, MAX_OUTPUT);
    }
    if (exit < 0 || exit > 3) {
      problems.add("exit status " + exit + " is not 0-3; counted as Unknown");
    }
    String text = new String(out, StandardCharsets.UTF_8).replace("\r\n", "\n");
    String[] lines = text.split("\n", -1);
    List<PerfData> perf = new ArrayList<>();
    String first = lines.length == 0 ? "" : lines[0];
    int bar = first.indexOf('|');
    String summary = (bar < 0 ? first : first.substring(0, bar)).strip();
    if (bar >= 0) {
      perf(first.substring(bar + 1), 1, perf, problems);
    }
    StringBuilder longText = new StringBuilder();
    boolean inPerf = false;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (inPerf) {
        perf(line, i + 1, perf, problems);
        continue;
      }
      int b = line.indexOf('|');
      String textPart = b < 0 ? line : line.substring(0, b);
      if (!textPart.isEmpty() || i < lines.length - 1) {
        longText.append(longText.length() > 0 ? "\n" : "").append(textPart);
      }
      if (b >= 0) {
        inPerf = true;
        perf(line.substring(b + 1), i + 1, perf, problems);
      }
    }
    if (summary.isEmpty()) {
      problems.add("line 1: no status text");
    }
    return new WatchdogResult(status(exit), summary, longText.toString().strip(), perf, problems);
  }

  /** Reads the perfdata items of one line. */
  static void perf(String line, int lineNo, List<PerfData> out, List<String> problems) {
    for (String item : items(line)) {
      try {
        out.add(item(item));
      } catch (IllegalArgumentException e) {
        problems.add("line " + lineNo + ": perfdata '" + clip(item) + "': " + e.getMessage());
      }
    }
  }

  /** Splits on spaces outside single quotes. */
  private static List<String> items(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        cur.append(c);
      } else if (Character.isWhitespace(c) && !quoted) {
        if (cur.length() > 0) {
          out.add(cur.toString());
          cur.setLength(0);
        }
      } else {
        cur.append(c);
      }
    }
    if (cur.length() > 0) {
      out.add(cur.toString());
    }
    return out;
  }

  /** One item {@code 'label'=value[UOM];[warn];[crit];[min];[max]}. */
  static PerfData item(String item) {
    int eq = item.lastIndexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("no label=value");
    }
    String label = item.substring(0, eq);
    if (label.startsWith("'")) {
      if (label.length() < 2 || !label.endsWith("'")) {
        throw new IllegalArgumentException("unbalanced quotes in the label");
      }
      label = label.substring(1, label.length() - 1).replace("''", "'");
    }
    if (label.isEmpty() || label.length() > 200) {
      throw new IllegalArgumentException("label empty or longer than 200");
    }
    String[] f = item.substring(eq + 1).split(";", -1);
    if (f.length > 5) {
      throw new IllegalArgumentException("more than 5 fields");
    }
    Matcher m = VALUE.matcher(f[0]);
    if (!m.matches()) {
      throw new IllegalArgumentException("value '" + f[0] + "' is not a number with a unit");
    }
    if (!UNITS.contains(m.group(2))) {
      throw new IllegalArgumentException("unknown unit '" + m.group(2) + "'");
    }
    Double value = m.group(1).equals("U") ? null : Double.valueOf(m.group(1));
    return new PerfData(label, value, m.group(2), range(f, 1), range(f, 2), num(f, 3), num(f, 4));
  }

  private static Range range(String[] f, int i) {
    return f.length > i && !f[i].isEmpty() ? Range.parse(f[i]) : null;
  }

  private static Double num(String[] f, int i) {
    if (f.length <= i || f[i].isEmpty()) {
      return null;
    }
    try {
      return Double.valueOf(f[i]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + f[i] + "' is not a number");
    }
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
