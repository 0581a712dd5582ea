package org.autopilot.devicemanager.model;

import java.util.regex.Pattern;

/**
 * A disruption budget: at most this many machines of a scope out of service at once (in
 * Probation after an activation, in Failure, or being replaced). Rollout and repair draw on the
 * same budgets.
 *
 * @param scope {@code fleet}, {@code type:NAME} or {@code unit:NAME}
 * @param limit an absolute count ({@code 3}) or a percent of the scope's machines ({@code 25%});
 *     a percent rounds down but allows at least one
 * @param version DM revision of the last change
 */
public record Budget(String scope, String limit, long version) {
  /** What a scope looks like. */
  public static final Pattern SCOPE = Pattern.compile("fleet|(type|unit):[a-z0-9][a-z0-9-]{0,63}");
  /** What a limit looks like. */
  public static final Pattern LIMIT = Pattern.compile("(\\d{1,6})(%?)");

  /** Validates. */
  public Budget {
    if (scope == null || !SCOPE.matcher(scope).matches()) {
      throw new IllegalArgumentException("budget scope '" + scope
          + "' must be fleet, type:NAME or unit:NAME");
    }
    var m = limit == null ? null : LIMIT.matcher(limit);
    if (m == null || !m.matches() || (!m.group(2).isEmpty() && Integer.parseInt(m.group(1)) > 100)) {
      throw new IllegalArgumentException("budget limit '" + limit + "' must be a count like 3 or a percent like 25%");
    }
  }

  /** How many of {@code population} machines may be out of service at once. */
  public int cap(int population) {
    var m = LIMIT.matcher(limit);
    m.matches();
    int n = Integer.parseInt(m.group(1));
    return m.group(2).isEmpty() ? n : Math.max(1, population * n / 100);
  }
}
