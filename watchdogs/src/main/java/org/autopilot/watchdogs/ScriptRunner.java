package org.autopilot.watchdogs;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.model.Health;

/**
 * Runs one watchdog script (any executable following the Nagios plugin protocol) with a
 * timeout: reads at most {@link NagiosOutput#MAX_OUTPUT} bytes of its standard output (the rest
 * is drained and dropped), kills it and its children when the time is up, and turns a timeout,
 * a crash (killed by a signal) or a script that cannot run into Unknown, never Error.
 */
public final class ScriptRunner {
  private ScriptRunner() {}

  /**
   * Runs {@code script} in {@code dir} with extra {@code env}; never throws for the script's
   * sake. An interrupted caller gets its {@link InterruptedException} after the script and its
   * children are killed.
   */
  public static WatchdogResult run(Path script, Path dir, Map<String, String> env, Duration timeout)
      throws InterruptedException {
    if (!Files.isExecutable(script)) {
      return unknown("cannot run " + script + ": not an executable file");
    }
    Process p;
    try {
      ProcessBuilder pb = new ProcessBuilder(script.toAbsolutePath().toString())
          .directory(dir.toFile()).redirectInput(new File("/dev/null"))
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().putAll(env);
      p = pb.start();
    } catch (IOException e) {
      return unknown("cannot run " + script + ": " + e.getMessage());
    }
    Capture out = new Capture(p.getInputStream());
    Thread reader = new Thread(out, "watchdog-output");
    reader.setDaemon(true);
    reader.start();
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(p);
      throw e;
    }
    if (!done) {
      killTree(p);
      p.waitFor(5, TimeUnit.SECONDS);
      reader.join(1000);
      WatchdogResult partial = NagiosOutput.parse(3, out.bytes());
      List<String> problems = new ArrayList<>(partial.problems());
      problems.add(0, "timed out after " + timeout.toMillis() + " ms; killed");
      return new WatchdogResult(Health.UNKNOWN, partial.text().isEmpty()
          ? "timed out" : partial.text(), partial.longText(), partial.perfData(), problems);
    }
    reader.join(2000);
    int exit = p.exitValue();
    WatchdogResult r = NagiosOutput.parse(exit, out.bytes());
    if (exit > 128) {
      List<String> problems = new ArrayList<>(r.problems());
      problems.add(0, "killed by signal " + (exit - 128));
      return new WatchdogResult(Health.UNKNOWN, r.text(), r.longText(), r.perfData(), problems);
    }
    if (out.total > NagiosOutput.MAX_OUTPUT && r.problems().stream().noneMatch(s -> s.startsWith("output cut"))) {
      List<String> problems = new ArrayList<>(r.problems());
      problems.add("output cut at " + NagiosOutput.MAX_OUTPUT + " of " + out.total + " bytes");
      return new WatchdogResult(r.status(), r.text(), r.longText(), r.perfData(), problems);
    }
    return r;
  }

  /** Kills the script and everything it started (children first, so none is orphaned). */
  private static void killTree(Process p) {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    tree.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static WatchdogResult unknown(String why) {
    return new WatchdogResult(Health.UNKNOWN, why, "", List.of(), List.of(why));
  }

  /** Keeps the first MAX_OUTPUT bytes, drains the rest. */
  private static final class Capture implements Runnable {
    private final InputStream in;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile long total;

    Capture(InputStream in) {
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buf = new byte[4096];
      try (in) {
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (kept) {
            int room = NagiosOutput.MAX_OUTPUT - kept.size();
            if (room > 0) {
              kept.write(buf, 0, Math.min(room, n));
            }
          }
          total += n;
        }
      } catch (IOException ignored) {
        // the process went away
      }
    }

    byte[] bytes() {
      synchronized (kept) {
        return kept.toByteArray();
      }
    }
  }
}
