package org.autopilot.provisioning.imaging;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.provisioning.Commands;
import org.autopilot.provisioning.ImagingSettings;
import org.autopilot.provisioning.ssh.MachineShell;
import org.autopilot.provisioning.ssh.MachineShell.ShellException;

/**
 * Carries out imaging steps on a machine over SSH, host key pinned to the DM's fingerprint:
 * reads what the machine shows ({@link #probe}), sends the reimage and restart commands, fetches
 * the image archive from the deployment servers onto the machine, checks its SHA-256 there,
 * unpacks it and writes the agent's configuration. Every step is safe to repeat. Never throws for
 * the machine's sake: every failure is an {@link Outcome}.
 */
public final class Installer {
  private static final Pattern HEX64 = Pattern.compile("(?:sha256:)?([0-9a-f]{64})");
  private final MachineShell shell;
  private final ImagingSettings s;
  private final Duration commandTimeout;

  /**
   * What a step did.
   *
   * @param ok it did what it should
   * @param detail for the DM's record
   */
  public record Outcome(boolean ok, String detail) {}

  /** An installer using {@code shell}, each command bounded by {@code commandTimeout}. */
  public Installer(MachineShell shell, ImagingSettings s, Duration commandTimeout) {
    this.shell = shell;
    this.s = s;
    this.commandTimeout = commandTimeout;
  }

  /** The hex SHA-256 an image names ({@code <64 hex>} or {@code sha256:<64 hex>}), or null. */
  public static String sha256Of(String image) {
    var m = image == null ? null : HEX64.matcher(image.trim());
    return m != null && m.matches() ? m.group(1) : null;
  }

  /** Hex SHA-256 of {@code text} as UTF-8. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** What {@code m} shows: its image marker, its unpacked image and its agent configuration's hash. */
  public Probe probe(Machine m) {
    String cmd = "printf 'marker=%s\\n' \"$(cat " + s.markerFile() + " 2>/dev/null)\"; "
        + "printf 'installed=%s\\n' \"$(cat " + s.installedFile() + " 2>/dev/null)\"; "
        + "printf 'config=%s\\n' \"$(sha256sum " + s.agentConfigFile() + " 2>/dev/null | cut -d' ' -f1)\"";
    try (MachineShell.Session session = shell.open(m.address(), m.hostKeyFingerprint())) {
      MachineShell.Result r = session.exec(cmd, commandTimeout);
      if (!r.ok()) {
        return Probe.unreachable("cannot read its state: " + r.describe(), false);
      }
      String marker = "";
      String installed = "";
      String config = "";
      for (String line : r.out().split("\n")) {
        if (line.startsWith("marker=")) {
          marker = line.substring(7).strip();
        } else if (line.startsWith("installed=")) {
          installed = line.substring(10).strip();
        } else if (line.startsWith("config=")) {
          config = line.substring(7).strip();
        }
      }
      return new Probe(true, null, false, marker, installed, config);
    } catch (ShellException e) {
      return Probe.unreachable(e.getMessage(), e.failure() == MachineShell.Failure.HOST_KEY_MISMATCH);
    }
  }

  /**
   * Clears the machine's image marker, installed image and agent configuration, then sends the
   * reimage command (a connection that drops as the machine goes down is fine). The marker seen
   * afterwards is the reimage's own, never one left from before it took effect.
   */
  public Outcome reimage(Machine m, String image) {
    String clear = "rm -f " + s.markerFile() + " " + s.installedFile() + " " + s.agentConfigFile();
    try (MachineShell.Session session = shell.open(m.address(), m.hostKeyFingerprint())) {
      MachineShell.Result r = session.exec(clear, commandTimeout);
      if (!r.ok()) {
        return new Outcome(false, "cannot clear the old install before reimaging: " + r.describe());
      }
    } catch (ShellException e) {
      return new Outcome(false, e.getMessage());
    }
    return sendAndLetGo(m, Commands.fill(s.reimageCommand(), values(m, image)), "reimage");
  }

  /** Sends the restart command; a connection that drops as the machine goes down is fine. */
  public Outcome restart(Machine m) {
    return sendAndLetGo(m, Commands.fill(s.restartCommand(), values(m, null)), "restart");
  }

  /**
   * Fetches the image archive onto the machine from the first deployment server that has it,
   * checks its SHA-256 on the machine, unpacks it and records it as installed.
   */
  public Outcome install(Machine m, String image) {
    String sha = sha256Of(image);
    if (sha == null) {
      return new Outcome(false, "image '" + image + "' is not a sha256 content address");
    }
    try (MachineShell.Session session = shell.open(m.address(), m.hostKeyFingerprint())) {
      String file = s.stagingFile();
      MachineShell.Result mk = session.exec("mkdir -p " + parent(file) + " " + parent(s.installedFile()),
          commandTimeout);
      if (!mk.ok()) {
        return new Outcome(false, "cannot prepare directories: " + mk.describe());
      }
      List<String> tried = new ArrayList<>();
      for (URI source : s.sources()) {
        String url = source.toString().replaceAll("/+$", "") + "/blobs/" + sha;
        Map<String, String> v = values(m, image);
        v.put("file", file);
        v.put("url", url);
        MachineShell.Result fetch = session.exec(Commands.fill(s.fetchCommand(), v), commandTimeout);
        if (!fetch.ok()) {
          tried.add(url + ": " + fetch.describe());
          continue;
        }
        MachineShell.Result sum = session.exec("sha256sum " + file, commandTimeout);
        String got = sum.ok() ? sum.out().strip().split("\\s+")[0] : "";
        if (!got.equals(sha)) {
          session.exec("rm -f " + file, commandTimeout);
          tried.add(url + ": " + (sum.ok() ? "sha256 " + got + " is not " + sha : "cannot hash: " + sum.describe()));
          continue;
        }
        v.put("dir", s.unpackDir());
        MachineShell.Result unpack = session.exec(Commands.fill(s.unpackCommand(), v), commandTimeout);
        if (!unpack.ok()) {
          return new Outcome(false, "unpacking " + sha + " failed: " + unpack.describe());
        }
        MachineShell.Result mark = session.exec("printf '%s\\n' " + image + " > " + s.installedFile()
            + " && rm -f " + file, commandTimeout);
        if (!mark.ok()) {
          return new Outcome(false, "cannot record the install: " + mark.describe());
        }
        return new Outcome(true, "fetched from " + url + ", sha256 verified on the machine, unpacked into "
            + s.unpackDir());
      }
      return new Outcome(false, "no deployment server delivered " + sha + ": " + String.join("; ", tried));
    } catch (ShellException e) {
      return new Outcome(false, e.getMessage());
    } catch (IllegalArgumentException e) {
      return new Outcome(false, e.getMessage());
    }
  }

  /** Writes {@code config} as the agent's configuration (atomically: a temporary file renamed). */
  public Outcome configure(Machine m, String config) {
    String file = s.agentConfigFile();
    String b64 = Base64.getEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8));
    String cmd = "mkdir -p " + parent(file) + " && printf '%s' '" + b64 + "' | base64 -d > " + file
        + ".tmp && mv " + file + ".tmp " + file;
    try (MachineShell.Session session = shell.open(m.address(), m.hostKeyFingerprint())) {
      MachineShell.Result r = session.exec(cmd, commandTimeout);
      return r.ok() ? new Outcome(true, "agent configuration written to " + file + " (sha256 "
          + sha256(config).substring(0, 12) + ")") : new Outcome(false, "writing " + file + " failed: " + r.describe());
    } catch (ShellException e) {
      return new Outcome(false, e.getMessage());
    }
  }

  /** The agent configuration for {@code m}: the template filled in. */
  public static String agentConfig(ImagingSettings s, Machine m, String token, List<String> dmUrls) {
    return s.agentTemplate().replace("{machine}", m.id().value()).replace("{token}", token)
        .replace("{dmUrls}", yamlList(dmUrls))
        .replace("{sources}", yamlList(s.sources().stream().map(URI::toString).toList()));
  }

  private Outcome sendAndLetGo(Machine m, String command, String what) {
    try (MachineShell.Session session = shell.open(m.address(), m.hostKeyFingerprint())) {
      MachineShell.Result r = session.exec(command, commandTimeout);
      if (r.ok() || r.exit() == null && !r.timedOut()) {
        return new Outcome(true, "'" + command + "' sent" + (r.ok() ? ": " + r.out().strip() : " (connection closed)"));
      }
      return new Outcome(false, what + " '" + command + "' failed: " + r.describe());
    } catch (ShellException e) {
      return new Outcome(false, e.getMessage());
    } catch (IllegalArgumentException e) {
      return new Outcome(false, e.getMessage());
    }
  }

  private static Map<String, String> values(Machine m, String image) {
    Map<String, String> v = new java.util.HashMap<>();
    v.put("machine", m.id().value());
    if (image != null) {
      v.put("image", image);
      String sha = sha256Of(image);
      if (sha != null) {
        v.put("sha256", sha);
      }
    }
    return v;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? (slash == 0 ? "/" : ".") : path.substring(0, slash);
  }

  private static String yamlList(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (String i : items) {
      b.append(b.length() == 1 ? "" : ", ").append('"').append(i.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return b.append(']').toString();
  }
}
