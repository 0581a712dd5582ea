package org.autopilot.appmanager;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An app's process group. Apps start under {@code setsid}, so the app and everything it forks
 * share one process group whose id is the app's pid, and a crash or stop can take all of them
 * down, not only the first process (Linux: members are read from {@code /proc/PID/stat}).
 */
final class ProcessGroup {
  private static final Path PROC = Path.of("/proc");
  private static final boolean SETSID = Files.isExecutable(Path.of("/usr/bin/setsid"))
      || Files.isExecutable(Path.of("/bin/setsid"));

  private ProcessGroup() {}

  /** The command line that starts {@code shellCommand} as the leader of a new process group. */
  static List<String> command(String shellCommand) {
    return SETSID ? List.of("setsid", "sh", "-c", shellCommand) : List.of("sh", "-c", shellCommand);
  }

  /** Every live process in group {@code pgid} (the leader, if alive, included). */
  static List<ProcessHandle> members(long pgid) {
    List<ProcessHandle> out = new ArrayList<>();
    if (!Files.isDirectory(PROC)) {
      ProcessHandle.of(pgid).ifPresent(h -> {
        out.addAll(h.descendants().toList());
        out.add(h);
      });
      return out;
    }
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path p : procs) {
        try {
          String stat = Files.readString(p.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          if (Long.parseLong(f[2]) == pgid) {
            ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(out::add);
          }
        } catch (IOException | RuntimeException e) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      ProcessHandle.of(pgid).ifPresent(out::add);
    }
    return out;
  }

  /** Sends SIGTERM ({@code force} false) or SIGKILL to every member; returns them. */
  static List<ProcessHandle> signal(long pgid, boolean force) {
    List<ProcessHandle> all = members(pgid);
    all.forEach(h -> {
      if (force) {
        h.destroyForcibly();
      } else {
        h.destroy();
      }
    });
    return all;
  }
}
