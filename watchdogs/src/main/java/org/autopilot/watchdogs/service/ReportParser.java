package org.autopilot.watchdogs.service;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.command.ReportWatchdogs.Verdict;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;

/**
 * Reads a machine's report strictly, in one pass over the bytes:
 * <pre>
 * {"machine": ID, "watchdogs": [{"watchdog": NAME, "status": "OK"|"Warning"|"Error"|"Unknown",
 *   "text": TEXT, "consecutive": N, "perfData": [PERFDATA...]}, ...]}
 * </pre>
 * Unknown or repeated fields, wrong types, bad names and statuses, reserved names, duplicate
 * watchdogs, multi-line or overlong text are refused with what is wrong and where
 * ({@code watchdogs[2].status: ...}). A text longer than {@link WatchdogState#MAX_TEXT}
 * characters (but within {@link #MAX_TEXT_IN}) is cut to that length, its last character
 * replaced by {@code …}. {@code perfData} is checked for shape (the {@code PerfData} records of
 * the watchdog runner, as Jackson writes them) and not kept: counters go to collection.
 */
public final class ReportParser {
  /** Largest report body accepted, in bytes. */
  public static final int MAX_BODY = 64 * 1024;
  /** Longest text accepted (the plugin protocol's output cap); longer than 512 is cut. */
  public static final int MAX_TEXT_IN = 8 * 1024;
  /** Most watchdogs in one report. */
  public static final int MAX_WATCHDOGS = 64;
  /** Most perfdata items per watchdog. */
  public static final int MAX_PERF = 256;
  /** Names the machine may not report: the service and the DM own them. */
  public static final Set<String> RESERVED = org.autopilot.watchdogs.WatchdogName.NOT_FROM_MACHINES;
  private static final String NAME = "[A-Za-z0-9_.:-]{1,64}";
  private static final Health[] HEALTHS = Health.values();
  private static final JsonFactory JSON = Json.mapper().getFactory();

  private ReportParser() {}

  /**
   * A report as read: the machine and its verdicts, in the order sent.
   *
   * @param machine who reports
   * @param watchdogs one verdict per watchdog, names unique and not reserved, text at most 512
   *     characters, consecutive at least 1 (as sent, not capped)
   */
  public record IntakeReport(MachineId machine, List<Verdict> watchdogs) {}

  /** A report that breaks the format; the message says what and where. */
  public static final class BadReport extends RuntimeException {
    /** A refusal with its message. */
    public BadReport(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads {@code body}; throws {@link BadReport} naming the first problem. */
  public static IntakeReport parse(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadReport("body must be a JSON object {\"machine\": ..., \"watchdogs\": [...]}");
      }
      MachineId machine = null;
      List<Verdict> verdicts = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "machine" -> machine = machine == null ? machine(p) : repeated("machine");
          case "watchdogs" -> verdicts = verdicts == null ? watchdogs(p) : repeated("watchdogs");
          default -> throw new BadReport("unknown field '" + field + "' (expected machine, watchdogs)");
        }
      }
      if (p.nextToken() != null) {
        throw new BadReport("trailing content after the report object");
      }
      if (machine == null) {
        throw new BadReport("machine: missing");
      }
      if (verdicts == null) {
        throw new BadReport("watchdogs: missing");
      }
      return new IntakeReport(machine, verdicts);
    } catch (JsonParseException e) {
      throw new BadReport("body is not JSON: " + e.getOriginalMessage() + where(e));
    } catch (IOException e) {
      throw new BadReport("body is not readable: " + e.getMessage());
    }
  }

  private static MachineId machine(JsonParser p) throws IOException {
    String v = string(p, "machine");
    try {
      return MachineId.of(v);
    } catch (IllegalArgumentException e) {
      throw new BadReport("machine: " + e.getMessage());
    }
  }

  private static List<Verdict> watchdogs(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new BadReport("watchdogs: must be an array");
    }
    List<Verdict> out = new ArrayList<>(8);
    while (p.nextToken() != JsonToken.END_ARRAY) {
      int w = out.size();
      if (w == MAX_WATCHDOGS) {
        throw new BadReport("watchdogs: more than " + MAX_WATCHDOGS + " entries");
      }
      Verdict v = verdict(p, w);
      for (Verdict earlier : out) {
        if (earlier.watchdog().equals(v.watchdog())) {
          throw new BadReport(at(w) + ".watchdog: '" + v.watchdog() + "' is reported twice");
        }
      }
      out.add(v);
    }
    return out;
  }

  private static Verdict verdict(JsonParser p, int w) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadReport(at(w) + ": must be an object");
    }
    String name = null;
    Health status = null;
    String text = null;
    int consecutive = 0;
    boolean perf = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "watchdog" -> name = name == null ? name(p, w) : repeated(at(w) + ".watchdog");
        case "status" -> status = status == null ? status(p, w) : repeated(at(w) + ".status");
        case "text" -> text = text == null ? text(p, w) : repeated(at(w) + ".text");
        case "consecutive" -> consecutive = consecutive == 0 ? consecutive(p, w)
            : (Integer) repeated(at(w) + ".consecutive");
        case "perfData" -> {
          if (perf) {
            repeated(at(w) + ".perfData");
          }
          perf = true;
          perfData(p, w);
        }
        default -> throw new BadReport(at(w) + ": unknown field '" + field
            + "' (expected watchdog, status, text, consecutive, perfData)");
      }
    }
    if (name == null || status == null || consecutive == 0) {
      throw new BadReport(at(w) + "." + (name == null ? "watchdog" : status == null ? "status"
          : "consecutive") + ": missing");
    }
    return new Verdict(name, status, text == null ? "" : text, consecutive);
  }

  private static String name(JsonParser p, int w) throws IOException {
    String v = string(p, w, ".watchdog");
    if (!validName(v)) {
      throw new BadReport(at(w) + ".watchdog: '" + clip(v) + "' must match " + NAME);
    }
    if (RESERVED.contains(v)) {
      throw new BadReport(at(w) + ".watchdog: '" + v + "' is reserved (" + String.join(", ",
          RESERVED.stream().sorted().toList()) + " are the watchdog service's and the DM's own)");
    }
    return v;
  }

  /** {@code [A-Za-z0-9_.:-]{1,64}}, without a regular expression (this runs for every verdict). */
  static boolean validName(String v) {
    int n = v.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '_' || c == '.' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Health status(JsonParser p, int w) throws IOException {
    String v = string(p, w, ".status");
    for (Health h : HEALTHS) {
      if (h.label().equals(v)) {
        return h;
      }
    }
    throw new BadReport(at(w) + ".status: '" + clip(v) + "' is not one of OK, Warning, Error, Unknown");
  }

  private static String text(JsonParser p, int w) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return "";
    }
    String v = string(p, w, ".text");
    if (v.length() > MAX_TEXT_IN) {
      throw new BadReport(at(w) + ".text: " + v.length() + " characters, more than " + MAX_TEXT_IN);
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        throw new BadReport(at(w) + ".text: control character U+" + String.format("%04X", (int) c)
            + " at " + i + "; the text is one line (long text is not forwarded)");
      }
    }
    if (v.length() > WatchdogState.MAX_TEXT) {
      return v.substring(0, WatchdogState.MAX_TEXT - 1) + "…";
    }
    return v;
  }

  private static int consecutive(JsonParser p, int w) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new BadReport(at(w) + ".consecutive: must be a whole number, at least 1");
    }
    if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() < 1) {
      throw new BadReport(at(w) + ".consecutive: " + clip(p.getText()) + " is outside 1.." + Integer.MAX_VALUE);
    }
    return p.getIntValue();
  }

  private static final List<String> PERF = List.of("label", "value", "uom", "warn", "crit", "min", "max");

  /** Checks perfData: null, or an array of PerfData objects. */
  private static void perfData(JsonParser p, int w) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new BadReport(at(w) + ".perfData: must be an array of perfdata items");
    }
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (i == MAX_PERF) {
        throw new BadReport(at(w) + ".perfData: more than " + MAX_PERF + " items");
      }
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new BadReport(perfAt(w, i) + ": must be an object");
      }
      int seen = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        int bit = PERF.indexOf(field);
        if (bit < 0) {
          throw new BadReport(perfAt(w, i) + ": unknown field '" + field
              + "' (expected label, value, uom, warn, crit, min, max)");
        }
        if ((seen & 1 << bit) != 0) {
          repeated(perfAt(w, i) + "." + field);
        }
        seen |= 1 << bit;
        switch (field) {
          case "label" -> {
            String l = perfString(p, w, i, field);
            if (l.isEmpty() || l.length() > 256) {
              throw new BadReport(perfAt(w, i) + ".label: must be 1..256 characters");
            }
          }
          case "uom" -> {
            if (perfString(p, w, i, field).length() > 8) {
              throw new BadReport(perfAt(w, i) + ".uom: longer than 8 characters");
            }
          }
          case "value", "min", "max" -> number(p, w, i, field, false);
          default -> range(p, w, i, field);
        }
      }
      if ((seen & 1) == 0) {
        throw new BadReport(perfAt(w, i) + ".label: missing");
      }
      i++;
    }
  }

  private static void range(JsonParser p, int w, int i, String which) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return;
    }
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      String text = p.getText();
      try {
        if (text.length() > 64) {
          throw new IllegalArgumentException("longer than 64 characters");
        }
        org.autopilot.watchdogs.Range.parse(text);
        return;
      } catch (IllegalArgumentException e) {
        throw new BadReport(perfAt(w, i) + "." + which + ": '" + (text.length() > 64
            ? text.substring(0, 64) + "…" : text) + "' is not a Nagios range (" + e.getMessage() + ")");
      }
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadReport(perfAt(w, i) + "." + which
          + ": must be a Nagios range ('10:', '@0:5'), a range object {start, end, inside}, or null");
    }
    int seen = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      int bit = field.equals("start") ? 1 : field.equals("end") ? 2 : field.equals("inside") ? 4 : 0;
      if (bit == 0) {
        throw new BadReport(perfAt(w, i) + "." + which + ": unknown field '" + field
            + "' (expected start, end, inside)");
      }
      if ((seen & bit) != 0) {
        repeated(perfAt(w, i) + "." + which + "." + field);
      }
      seen |= bit;
      if (bit == 4) {
        if (!p.currentToken().isBoolean()) {
          throw new BadReport(perfAt(w, i) + "." + which + ".inside: must be true or false");
        }
      } else {
        number(p, w, i, which + "." + field, true);
      }
    }
  }

  /** A number or null; with {@code infinite}, also "Infinity", "-Infinity" (open range ends). */
  private static void number(JsonParser p, int w, int i, String field, boolean infinite) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL || t.isNumeric()) {
      return;
    }
    if (infinite && t == JsonToken.VALUE_STRING
        && (p.getText().equals("Infinity") || p.getText().equals("-Infinity"))) {
      return;
    }
    throw new BadReport(perfAt(w, i) + "." + field + ": must be a number"
        + (infinite ? ", \"Infinity\" or \"-Infinity\"" : " or null"));
  }

  private static String string(JsonParser p, int w, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new BadReport(at(w) + field + ": must be a string");
    }
    return p.getText();
  }

  private static String perfString(JsonParser p, int w, int i, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new BadReport(perfAt(w, i) + "." + field + ": must be a string");
    }
    return p.getText();
  }

  private static String string(JsonParser p, String at) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new BadReport(at + ": must be a string");
    }
    return p.getText();
  }

  private static <T> T repeated(String at) {
    throw new BadReport(at + ": given twice");
  }

  private static String at(int w) {
    return "watchdogs[" + w + "]";
  }

  private static String perfAt(int w, int i) {
    return at(w) + ".perfData[" + i + "]";
  }

  private static String where(JsonParseException e) {
    return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr();
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
