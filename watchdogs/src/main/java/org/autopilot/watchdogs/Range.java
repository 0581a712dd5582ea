package org.autopilot.watchdogs;

/**
 * A Nagios threshold range {@code [@]start:end}: {@code 10} is 0..10, {@code 10:} is 10..inf,
 * {@code ~:10} is -inf..10, {@code 10:20} is 10..20; a value outside alerts, or with a leading
 * {@code @}, a value inside alerts.
 *
 * @param start lower end (may be negative infinity)
 * @param end upper end (may be positive infinity)
 * @param inside true for {@code @}: alert when the value lies inside
 */
public record Range(double start, double end, boolean inside) {

  /** Reads a range; throws with the reason if it is not one. */
  public static Range parse(String text) {
    String t = text.trim();
    boolean inside = t.startsWith("@");
    if (inside) {
      t = t.substring(1);
    }
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty range");
    }
    int colon = t.indexOf(':');
    double start;
    double end;
    if (colon < 0) {
      start = 0;
      end = number(t);
    } else {
      String s = t.substring(0, colon);
      String e = t.substring(colon + 1);
      start = s.equals("~") ? Double.NEGATIVE_INFINITY : s.isEmpty() ? 0 : number(s);
      end = e.isEmpty() ? Double.POSITIVE_INFINITY : number(e);
    }
    if (start > end) {
      throw new IllegalArgumentException("range '" + text + "' starts above its end");
    }
    return new Range(start, end, inside);
  }

  /** True if {@code value} should raise an alert under this range. */
  public boolean alerts(double value) {
    boolean within = value >= start && value <= end;
    return inside == within;
  }

  /** The range in the plugin guidelines' notation, as {@link #parse} reads it back. */
  public String format() {
    String s = start == Double.NEGATIVE_INFINITY ? "~" : number(start);
    String e = end == Double.POSITIVE_INFINITY ? "" : number(end);
    String body = start == 0 && end != Double.POSITIVE_INFINITY ? e : s + ":" + e;
    return (inside ? "@" : "") + body;
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  private static double number(String s) {
    try {
      double d = Double.parseDouble(s);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d + 0.0; // -0 is 0: "-0:5" and "5" are one range, and format() writes it as "5"
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a number");
    }
  }
}
