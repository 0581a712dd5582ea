package org.autopilot.provisioning;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command line templates: {@code {name}} placeholders filled only with plain values. */
public final class Commands {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:/@+=,\\[\\]-]+");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z0-9]+)}");

  private Commands() {}

  /** Whether {@code value} may go into a command line unquoted. */
  public static boolean plain(String value) {
    return value != null && PLAIN.matcher(value).matches();
  }

  /**
   * {@code template} with its placeholders filled from {@code values}.
   *
   * @throws IllegalArgumentException naming the placeholder, when a value is missing or not plain
   */
  public static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String v = values.get(name);
      if (v == null) {
        throw new IllegalArgumentException("'" + template + "' names {" + name + "}, which has no value here");
      }
      if (!plain(v)) {
        throw new IllegalArgumentException("{" + name + "} = '" + v + "' is not plain enough for a command line");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
