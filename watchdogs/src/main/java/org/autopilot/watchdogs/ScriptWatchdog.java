package org.autopilot.watchdogs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.autopilot.devicemanager.model.Health;

/**
 * A watchdog script (Nagios plugin protocol) run by {@link ScriptRunner}, held to the protocol
 * strictly: output that does not follow it is Unknown with the reason as the text, never the
 * status the exit code claims. Not the protocol: a timeout, a crash, an exit status outside
 * 0-3, output that is not text (control characters, bytes that are not UTF-8), more than
 * {@link NagiosOutput#MAX_OUTPUT} bytes, or no status line. Unreadable perfdata items alone are
 * dropped and noted, the verdict stands (as Nagios does).
 */
public final class ScriptWatchdog implements Watchdog {
  private final String name;
  private final Path script;
  private final Path dir;
  private final Map<String, String> env;
  private final Duration timeout;

  /** {@code script} reported as {@code name}, run in {@code dir} with {@code env} added. */
  public ScriptWatchdog(String name, Path script, Path dir, Map<String, String> env, Duration timeout) {
    this.name = name;
    this.script = script;
    this.dir = dir;
    this.env = Map.copyOf(env);
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public WatchdogResult check() throws InterruptedException {
    return strict(ScriptRunner.run(script, dir, env, timeout));
  }

  /** {@code r} as it is, or Unknown saying how the output broke the protocol. */
  public static WatchdogResult strict(WatchdogResult r) {
    String why = firstProblem(r, "timed out", "killed by signal", "exit status");
    if (why == null && r.status() == Health.UNKNOWN && r.text().startsWith("cannot run ")) {
      return r;
    }
    if (why == null && firstProblem(r, "output cut") != null) {
      why = "bad output: more than " + NagiosOutput.MAX_OUTPUT + " bytes";
    }
    if (why == null && (!isText(r.text()) || !isText(r.longText()))) {
      why = "bad output: not text (control characters or bytes that are not UTF-8)";
    }
    if (why == null && r.text().isBlank()) {
      why = "bad output: no status line (the first line must be 'TEXT | perfdata')";
    }
    if (why == null) {
      return r;
    }
    String said = r.text().isBlank() || !isText(r.text()) || why.startsWith(r.text())
        ? "" : "; said: " + r.text();
    List<String> problems = new ArrayList<>(r.problems());
    if (!problems.contains(why)) {
      problems.add(0, why);
    }
    return new WatchdogResult(Health.UNKNOWN, why + said, r.longText(), r.perfData(), problems);
  }

  private static String firstProblem(WatchdogResult r, String... prefixes) {
    for (String p : r.problems()) {
      for (String prefix : prefixes) {
        if (p.startsWith(prefix)) {
          return p;
        }
      }
    }
    return null;
  }

  private static boolean isText(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\uFFFD' || Character.isISOControl(c) && c != '\n' && c != '\t') {
        return false;
      }
    }
    return true;
  }
}
