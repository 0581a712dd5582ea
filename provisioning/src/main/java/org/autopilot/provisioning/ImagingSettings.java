package org.autopilot.provisioning;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * How imaging installs a machine ({@code imaging:} in the configuration). Command lines run over
 * SSH on the machine, paths are as the machine's shell sees them (relative ones against the login
 * directory; on the simulated machines, their disk). Placeholders: {@code {image}} (the type's
 * image as defined), {@code {sha256}} (its hash), {@code {file}}, {@code {url}}, {@code {dir}},
 * {@code {machine}}; values are inserted only if they are plain (letters, digits,
 * {@code . _ : / @ + = , -}).
 *
 * @param sources deployment server base URLs: the machine fetches {@code {source}/blobs/{sha256}}
 *     from them in turn; they also go into the agent's configuration
 * @param machineSecret the DM's machine secret (hex), to give each agent its machine token
 * @param agentTemplate the app-manager configuration installed on each machine, with
 *     placeholders {@code {machine}}, {@code {token}}, {@code {dmUrls}} and {@code {sources}}
 *     (the last two as YAML lists)
 * @param reimageCommand puts the base system in place for an image and reboots; afterwards
 *     {@code markerFile} holds the image
 * @param markerFile where the machine records the image it was reimaged with
 * @param fetchCommand downloads {@code {url}} to {@code {file}}
 * @param stagingFile where the archive is downloaded to
 * @param unpackCommand unpacks {@code {file}} into {@code {dir}}
 * @param unpackDir where the archive is unpacked
 * @param installedFile written with the image once unpacked: the install is complete
 * @param agentConfigFile where the app-manager configuration goes
 * @param restartCommand restarts the machine so its agent comes up with the configuration
 * @param attempts failed attempts (and reimages, and restarts) allowed per round
 * @param bootTimeout how long a machine may stay unreachable, or without its image, after a
 *     reimage or restart
 * @param agentTimeout how long after a restart the agent has to report its first heartbeat
 * @param retryAfter how long a machine whose round failed waits before the next one (doubled per
 *     failed round, at most a day)
 */
public record ImagingSettings(List<URI> sources, String machineSecret, String agentTemplate,
    String reimageCommand, String markerFile, String fetchCommand, String stagingFile,
    String unpackCommand, String unpackDir, String installedFile, String agentConfigFile,
    String restartCommand, int attempts, Duration bootTimeout, Duration agentTimeout,
    Duration retryAfter) {

  /** The app-manager configuration installed when none is configured. */
  public static final String DEFAULT_TEMPLATE = """
      # installed by autopilot provisioning
      machineId: {machine}
      dmUrls: {dmUrls}
      dmToken: "{token}"
      home: ../../var/lib/autopilot
      sources: {sources}
      """;

  /** Validates. */
  public ImagingSettings {
    sources = sources == null ? List.of() : List.copyOf(sources);
    Checks.require(!sources.isEmpty(), "imaging.sources must list at least one deployment server");
    Checks.require(machineSecret != null && machineSecret.matches("([0-9a-fA-F]{2}){16,}"),
        "imaging needs the DM's machine secret (machineSecretFile: at least 32 hex digits)");
    Checks.require(agentTemplate != null && agentTemplate.contains("{machine}") && agentTemplate.contains("{token}"),
        "imaging.agentTemplate must contain {machine} and {token}");
    for (String[] c : new String[][] {{"reimageCommand", reimageCommand}, {"markerFile", markerFile},
        {"fetchCommand", fetchCommand}, {"stagingFile", stagingFile}, {"unpackCommand", unpackCommand},
        {"unpackDir", unpackDir}, {"installedFile", installedFile}, {"agentConfigFile", agentConfigFile},
        {"restartCommand", restartCommand}}) {
      Checks.require(c[1] != null && !c[1].isBlank(), "imaging." + c[0] + " must not be empty");
    }
    for (String[] p : new String[][] {{"markerFile", markerFile}, {"stagingFile", stagingFile},
        {"unpackDir", unpackDir}, {"installedFile", installedFile}, {"agentConfigFile", agentConfigFile}}) {
      Checks.require(Commands.plain(p[1]), "imaging." + p[0] + " '" + p[1] + "' must be a plain path");
    }
    Checks.require(attempts >= 1 && attempts <= 20, "imaging.attempts must be 1..20");
    Checks.require(Checks.between(bootTimeout, Duration.ofSeconds(1), Duration.ofHours(2)),
        "imaging.bootTimeout must be 1s..2h");
    Checks.require(Checks.between(agentTimeout, Duration.ofSeconds(1), Duration.ofHours(2)),
        "imaging.agentTimeout must be 1s..2h");
    Checks.require(Checks.between(retryAfter, Duration.ofSeconds(1), Duration.ofDays(1)),
        "imaging.retryAfter must be 1s..1d");
  }

  /** The simulated fleet's way (reimage IMAGE, curl, tar, reboot) with the default template. */
  public static ImagingSettings defaults(List<URI> sources, String machineSecret) {
    return new ImagingSettings(sources, machineSecret, DEFAULT_TEMPLATE, "reimage {image}", "image",
        "curl -fsS --connect-timeout 5 --max-time 900 -o {file} {url}", "var/tmp/autopilot-image.tar.gz",
        "mkdir -p {dir} && tar -xzf {file} -C {dir}", ".", "etc/autopilot/installed-image",
        "etc/autopilot/agent.yaml", "reboot", 3, Duration.ofMinutes(5), Duration.ofMinutes(5),
        Duration.ofMinutes(30));
  }

  /** A copy with another agent configuration template. */
  public ImagingSettings withAgentTemplate(String t) {
    return new ImagingSettings(sources, machineSecret, t, reimageCommand, markerFile, fetchCommand,
        stagingFile, unpackCommand, unpackDir, installedFile, agentConfigFile, restartCommand,
        attempts, bootTimeout, agentTimeout, retryAfter);
  }

  /** A copy with other bounds. */
  public ImagingSettings withBounds(int n, Duration boot, Duration agent, Duration retry) {
    return new ImagingSettings(sources, machineSecret, agentTemplate, reimageCommand, markerFile,
        fetchCommand, stagingFile, unpackCommand, unpackDir, installedFile, agentConfigFile,
        restartCommand, n, boot, agent, retry);
  }
}
