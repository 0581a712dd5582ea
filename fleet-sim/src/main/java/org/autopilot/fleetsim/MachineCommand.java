package org.autopilot.fleetsim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * One SSH exec request on a simulated machine. Management verbs are answered by the
 * simulator ({@code machine-id}, {@code facts}, {@code power status|off}, {@code reboot},
 * {@code reimage IMAGE}, {@code disk-check}); anything else runs as {@code sh -c} in the
 * machine's disk directory, at most 30 s, output capped at 1 MiB.
 */
final class MachineCommand implements Command {
  static final int MAX_OUTPUT = 1 << 20;
  private final SimulatedMachine machine;
  private final String line;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exit;
  private Thread worker;

  MachineCommand(SimulatedMachine machine, String line) {
    this.machine = machine;
    this.line = line == null ? "" : line.trim();
  }

  @Override
  public void setInputStream(InputStream in) {}

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exit = callback;
  }

  @Override
  public void start(ChannelSession channel, Environment env) {
    worker = new Thread(this::run, machine.id() + "-exec");
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public void destroy(ChannelSession channel) {
    if (worker != null) {
      worker.interrupt();
    }
  }

  private void run() {
    int code;
    try {
      if (machine.has(Fault.SLOW_NETWORK)) {
        Thread.sleep(2000);
      }
      code = execute();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = 130;
    } catch (IOException | RuntimeException e) {
      code = say(err, "error: " + e.getMessage(), 1);
    }
    exit.onExit(code);
  }

  private int execute() throws IOException, InterruptedException {
    String[] words = line.split("\\s+");
    switch (words[0]) {
      case "machine-id":
        return say(out, machine.id(), 0);
      case "facts":
        return say(out, "{\"cpus\":4,\"memoryBytes\":8589934592,\"disks\":[\"sda\"]}", 0);
      case "power":
        if (words.length == 2 && words[1].equals("status")) {
          return say(out, machine.power().name().toLowerCase(), 0);
        } else if (words.length == 2 && words[1].equals("off")) {
          machine.powerOffSoon();
          return say(out, "powering off", 0);
        }
        return say(err, "usage: power status|off (power on is the BMC's: the fleet's control API)", 2);
      case "reboot":
        machine.reboot();
        return say(out, "rebooting", 0);
      case "reimage":
        if (words.length != 2) {
          return say(err, "usage: reimage IMAGE", 2);
        }
        machine.reimage(words[1]);
        return say(out, "reimaging with " + words[1], 0);
      case "disk-check":
        return machine.has(Fault.DISK_ERROR)
            ? say(out, "CRITICAL: sda: unrecoverable read errors", 2)
            : say(out, "OK: sda healthy", 0);
      default:
        if (machine.has(Fault.DISK_ERROR)) {
          return say(err, "I/O error", 74);
        }
        return shell();
    }
  }

  private int shell() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", line).directory(machine.disk().toFile())
        .redirectErrorStream(true).start();
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      output = in.readNBytes(MAX_OUTPUT);
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return say(err, "timed out after 30 s", 124);
    }
    out.write(output);
    out.flush();
    return p.exitValue();
  }

  private static int say(OutputStream s, String text, int code) {
    try {
      s.write((text + "\n").getBytes(StandardCharsets.UTF_8));
      s.flush();
    } catch (IOException ignored) {
      // the client went away
    }
    return code;
  }
}
