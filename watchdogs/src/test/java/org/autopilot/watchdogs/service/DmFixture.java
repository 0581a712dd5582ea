package org.autopilot.watchdogs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.devicemanager.server.LocalCluster;

/** A real one-replica DM on loopback with machine types, machines and a raw HTTP client. */
final class DmFixture implements AutoCloseable {
  final LocalCluster cluster;
  final DmClient admin;
  final String machineSecret;
  final HttpClient http = HttpClient.newHttpClient();

  DmFixture(Path dir) throws Exception {
    cluster = LocalCluster.create(dir, 1, 0, InstantSource.system()).start();
    cluster.leader(15_000).orElseThrow();
    admin = new DmClient(cluster.apiUrls(), cluster.token(Role.ADMIN), new Random(1),
        Duration.ofSeconds(10), 3);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("credentials.properties"))) {
      p.load(r);
    }
    machineSecret = p.getProperty("machine-secret");
    send(new DefineMachineType("web", null, "test"), new DefineScaleUnit("su-1", "test"));
  }

  /** A service config against this DM: port 0, no probe, fast flushes. */
  WatchdogServiceConfig config(String id) {
    return WatchdogServiceConfig.of(id, "127.0.0.1", 0, cluster.apiUrls(),
            cluster.token(org.autopilot.devicemanager.api.SatelliteService.WATCHDOG), machineSecret)
        .withTimes(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(1),
            Duration.ofMinutes(10), null);
  }

  void send(DmCommand... commands) {
    for (CommandResult r : admin.sendAll(List.of(commands))) {
      assertThat(r.accepted()).as(r.reason()).isTrue();
    }
  }

  /** Registers machines of type {@code type} at {@code address} with {@code fingerprint}. */
  void registerAt(String type, String address, String fingerprint, String... ids) {
    List<DmCommand> cmds = new ArrayList<>();
    for (String id : ids) {
      cmds.add(new RegisterMachine(MachineId.of(id), address, fingerprint, type, "su-1", "r1", null, "test"));
    }
    send(cmds.toArray(DmCommand[]::new));
  }

  void register(String... ids) {
    registerAt("web", "127.0.0.1:1", "SHA256:none", ids);
  }

  /** Moves machines New -> Provisioning -> BurnIn -> Healthy. */
  void healthy(String... ids) {
    for (LifecycleState s : List.of(LifecycleState.PROVISIONING, LifecycleState.BURN_IN, LifecycleState.HEALTHY)) {
      List<DmCommand> cmds = new ArrayList<>();
      for (String id : ids) {
        cmds.add(new ChangeState(MachineId.of(id), 0, s, "test"));
      }
      send(cmds.toArray(DmCommand[]::new));
    }
  }

  /** What the DM records about a machine's watchdog. */
  Optional<WatchdogState> watchdog(String machine, String name) {
    return admin.machine(MachineId.of(machine)).map(m -> m.watchdogs().get(name));
  }

  /** Every WatchdogsReported event of a machine, oldest first. */
  List<WatchdogsReported> reports(String machine) {
    List<WatchdogsReported> out = new ArrayList<>();
    long after = 0;
    while (true) {
      var page = admin.events(after, 5000);
      for (DmEvent e : page.items()) {
        after = e.revision();
        if (e instanceof WatchdogsReported w && w.machine().value().equals(machine)) {
          out.add(w);
        }
      }
      if (page.items().isEmpty() || page.next() == null) {
        return out;
      }
    }
  }

  /** POSTs a report body with a bearer token (null: none). */
  HttpResponse<String> post(String baseUrl, String token, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/reports"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs a machine's own report with its token. */
  HttpResponse<String> report(WatchdogService service, String machine, String... verdicts)
      throws IOException, InterruptedException {
    return post(service.url(), cluster.machineToken(machine), body(machine, verdicts));
  }

  /** A report body. */
  static String body(String machine, String... verdicts) {
    return "{\"machine\":\"" + machine + "\",\"watchdogs\":[" + String.join(",", verdicts) + "]}";
  }

  /** One verdict's JSON. */
  static String wd(String name, String status, String text, int consecutive) {
    return "{\"watchdog\":\"" + name + "\",\"status\":\"" + status + "\",\"text\":\"" + text
        + "\",\"consecutive\":" + consecutive + "}";
  }

  @Override
  public void close() {
    admin.close();
    cluster.close();
  }
}
