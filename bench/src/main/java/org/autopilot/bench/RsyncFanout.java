package org.autopilot.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of {@code filesync-fanout}: one rsync daemon on 127.0.0.1 serving the file to
 * several rsync clients at once, the daemon's uplink capped with its own {@code --bwlimit} (per
 * connection, so set to the host cap divided by the number of clients).
 */
final class RsyncFanout {
  private RsyncFanout() {}

  /** How the fan-out went: wall time until the last client finished, copies whose SHA-256 matched. */
  record Outcome(double seconds, int verified) {}

  static boolean installed() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "rsync"))) {
        return true;
      }
    }
    return false;
  }

  /** Copies {@code file} (named by its SHA-256) to {@code clients} directories under {@code dir}. */
  static Outcome run(Path dir, Path file, int clients, long capBytesPerSecond) throws Exception {
    Files.createDirectories(dir);
    int port = freePort();
    Path conf = dir.resolve("rsyncd.conf");
    // As root the daemon would switch to "nobody", who cannot read the bench's private temp files.
    String user = "root".equals(System.getProperty("user.name")) ? "uid = root\ngid = root\n" : "";
    Files.writeString(conf, "use chroot = false\nread only = true\nmax connections = 0\n" + user
        + "pid file = " + dir.resolve("rsyncd.pid") + "\n"
        + "[blob]\n  path = " + file.getParent() + "\n");
    long kib = Math.max(1, capBytesPerSecond / clients / 1024);
    Process daemon = new ProcessBuilder("rsync", "--daemon", "--no-detach", "--config=" + conf,
        "--address=127.0.0.1", "--port=" + port, "--bwlimit=" + kib, "--log-file=" + dir.resolve("rsyncd.log"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("rsyncd.out").toFile()).start();
    try {
      awaitPort(port, 10_000);
      long size = Files.size(file);
      long timeoutS = size * clients / capBytesPerSecond * 3 + 60;
      List<Process> running = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        Path dest = Files.createDirectories(dir.resolve("client-" + i));
        running.add(new ProcessBuilder("rsync", "-a", "rsync://127.0.0.1:" + port + "/blob/" + file.getFileName(),
            dest + "/").redirectErrorStream(true).redirectOutput(dir.resolve("client-" + i + ".log").toFile()).start());
      }
      long end = t0 + TimeUnit.SECONDS.toNanos(timeoutS);
      for (Process p : running) {
        if (!p.waitFor(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      int verified = 0;
      String hash = file.getFileName().toString();
      for (int i = 0; i < clients; i++) {
        Path copy = dir.resolve("client-" + i).resolve(hash);
        verified += Files.exists(copy) && FilesyncFanoutBench.sha256(copy).equals(hash) ? 1 : 0;
      }
      if (verified < clients) {
        System.out.println("rsync: only " + verified + " of " + clients + " copies verified; client 0 said: "
            + Files.readString(dir.resolve("client-0.log")).strip());
      }
      return new Outcome(seconds, verified);
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(5, TimeUnit.SECONDS)) {
        daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, long timeoutMs) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException("rsync daemon did not listen on 127.0.0.1:" + port + " within " + timeoutMs + " ms");
  }
}
