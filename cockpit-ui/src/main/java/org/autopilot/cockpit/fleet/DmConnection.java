package org.autopilot.cockpit.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.model.Budget;
import org.autopilot.devicemanager.model.HealthPolicy;
import org.autopilot.devicemanager.model.Incident;
import org.autopilot.devicemanager.model.IngestStatus;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.Rollout;

/** The DM through its Java client: Cockpit's reads and its operators' commands. */
public final class DmConnection implements FleetSource, CommandSink, AutoCloseable {
  private final DmClient client;

  /** A connection to the replicas at {@code apiUrls} with Cockpit's own (operator) token. */
  public DmConnection(List<String> apiUrls, String token) {
    this(apiUrls, token, null);
  }

  /** As above, trusting the CAs of {@code trust} for {@code https://} URLs (null: the JDK's). */
  public DmConnection(List<String> apiUrls, String token, org.autopilot.tls.TrustBundle trust) {
    this.client = new DmClient(apiUrls, token, trust, new Random(), Duration.ofSeconds(10), 3);
  }

  @Override
  public long watch(long index, Duration wait) {
    return client.watch(index, wait);
  }

  @Override
  public List<Machine> allMachines() {
    return client.allMachines(Map.of());
  }

  @Override
  public Optional<Machine> machine(MachineId id) {
    return client.machine(id);
  }

  @Override
  public FleetQueries.EventPage events(long after, int limit) {
    return client.events(after, limit);
  }

  @Override
  public List<org.autopilot.devicemanager.event.DmEvent> machineEvents(MachineId id, int limit) {
    // oldest first from the start of the DM's retained trail; the newest `limit` are kept
    var items = client.events(id, 0, FleetQueries.MAX_LIMIT).items();
    return items.subList(Math.max(0, items.size() - limit), items.size());
  }

  @Override
  public List<org.autopilot.devicemanager.model.RepairDecision> machineDecisions(MachineId id, int limit) {
    var items = client.decisions(id, 0, FleetQueries.MAX_LIMIT).items();
    return items.subList(Math.max(0, items.size() - limit), items.size());
  }

  @Override
  public FleetQueries.DecisionPage decisions(long after, int limit) {
    return client.decisions(null, after, limit);
  }

  @Override
  public FleetQueries.RepairQueue repairs() {
    return client.repairs(0, Duration.ZERO);
  }

  @Override
  public List<Incident> incidents() {
    return client.incidents();
  }

  @Override
  public List<Rollout> rollouts() {
    return items("rollouts", new TypeReference<List<Rollout>>() {});
  }

  @Override
  public List<Budget> budgets() {
    return items("budgets", new TypeReference<List<Budget>>() {});
  }

  @Override
  public List<Lease> leases() {
    return client.leases();
  }

  @Override
  public List<ManifestSummary> manifests() {
    return items("manifests", new TypeReference<List<ManifestSummary>>() {});
  }

  @Override
  public Map<String, HealthPolicy> policies() {
    return client.policies();
  }

  @Override
  public List<IngestStatus> ingests() {
    return items("ingests", new TypeReference<List<IngestStatus>>() {});
  }

  @Override
  public CommandResult send(String user, DmCommand command) {
    return client.sendOnBehalfOf(user, command);
  }

  private <T> T items(String path, TypeReference<T> type) {
    JsonNode n = client.getJson(path);
    return Json.lenient().convertValue(n.get("items"), type);
  }

  @Override
  public void close() {
    client.close();
  }
}
