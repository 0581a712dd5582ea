package org.autopilot.provisioning.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.provisioning.scan.Endpoint;
import org.autopilot.provisioning.ssh.MachineShell;
import org.autopilot.provisioning.ssh.MachineShell.ShellException;

/**
 * Identifies one SSH endpoint: opens an observing session (any host key accepted and recorded:
 * the caller compares it with the DM's), runs the machine-id command and the facts command.
 * Never throws: everything that goes wrong is an {@link Observation} with its problem.
 */
public final class Identifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final MachineShell shell;
  private final String idCommand;
  private final String factsCommand;
  private final Duration commandTimeout;

  /**
   * An identifier running {@code idCommand} (prints the machine id) and {@code factsCommand}
   * (prints JSON {@code {"cpus": N, "memoryBytes": N, "disks": ["sda", ...]}}).
   */
  public Identifier(MachineShell shell, String idCommand, String factsCommand, Duration commandTimeout) {
    this.shell = shell;
    this.idCommand = idCommand;
    this.factsCommand = factsCommand;
    this.commandTimeout = commandTimeout;
  }

  /** What {@code e} says it is; empty if no SSH server answered there. */
  public Optional<Observation> identify(Endpoint e) {
    try (MachineShell.Session s = shell.open(e.address(), null)) {
      MachineShell.Result id = s.exec(idCommand, commandTimeout);
      if (!id.ok()) {
        return Optional.of(Observation.failed(e, s.hostKey(), "'" + idCommand + "' failed: " + id.describe()));
      }
      MachineShell.Result facts = s.exec(factsCommand, commandTimeout);
      if (!facts.ok()) {
        return Optional.of(Observation.failed(e, s.hostKey(), "'" + factsCommand + "' failed: "
            + facts.describe()));
      }
      try {
        return Optional.of(Observation.identified(e, s.hostKey(), id.out().strip(), facts(facts.out())));
      } catch (IllegalArgumentException bad) {
        return Optional.of(Observation.failed(e, s.hostKey(), "'" + factsCommand + "': " + bad.getMessage()));
      }
    } catch (ShellException x) {
      if (x.failure() == MachineShell.Failure.UNREACHABLE) {
        return Optional.empty();
      }
      return Optional.of(Observation.failed(e, x.presentedKey(), x.getMessage()));
    }
  }

  /** Parses the facts JSON; unknown fields are ignored, missing ones are 0 or empty. */
  static MachineFacts facts(String text) {
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalArgumentException("not JSON: " + ex.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode cpus = n.path("cpus");
    JsonNode mem = n.path("memoryBytes");
    if (!cpus.isMissingNode() && !cpus.canConvertToInt() || !mem.isMissingNode() && !mem.canConvertToLong()) {
      throw new IllegalArgumentException("cpus and memoryBytes must be whole numbers");
    }
    List<String> disks = new ArrayList<>();
    for (JsonNode d : n.path("disks")) {
      if (!d.isTextual()) {
        throw new IllegalArgumentException("disks must be names");
      }
      disks.add(d.asText());
    }
    return new MachineFacts(cpus.asInt(0), mem.asLong(0), disks);
  }
}
