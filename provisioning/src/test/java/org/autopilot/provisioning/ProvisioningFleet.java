package org.autopilot.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.fleetsim.MachineAgent;
import org.autopilot.fleetsim.OperatorKey;
import org.autopilot.fleetsim.SimulatedFleet;
import org.autopilot.fleetsim.SimulatedMachine;
import org.autopilot.provisioning.scan.ScanTarget;

/**
 * A real DM (one replica on loopback) and simulated machines on a block of loopback ports that
 * the provisioning replicas scan, so machines added later are found where a real scan would find
 * them. Closes everything it started.
 */
final class ProvisioningFleet implements AutoCloseable {
  static final int PORTS = 12;
  final Path dir;
  final LocalCluster dm;
  final DmClient admin;
  final Path operatorKey;
  final KeyPair operator;
  final int firstPort;
  final Supplier<MachineAgent> agents;
  SimulatedFleet fleet;
  private final List<SimulatedFleet> fleets = new ArrayList<>();
  private final List<ProvisioningService> services = new ArrayList<>();

  ProvisioningFleet(Path dir, Supplier<MachineAgent> agents) throws Exception {
    this.dir = dir;
    this.agents = agents;
    dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system()).start();
    dm.leader(10_000).orElseThrow();
    admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(10), 3);
    operatorKey = dir.resolve("operator_key");
    operator = OperatorKey.loadOrCreate(operatorKey);
    firstPort = freeBlock(PORTS);
    fleet = newFleet();
  }

  /** A simulator over the same machine directories (a new one "reboots the lab"). */
  SimulatedFleet newFleet() {
    SimulatedFleet f = new SimulatedFleet(dir.resolve("fleet"), List.of(operator.getPublic()), agents,
        Duration.ofMillis(300));
    fleets.add(f);
    return f;
  }

  /** The scan target covering the block. */
  ScanTarget target() {
    return new ScanTarget("127.0.0.1/32", List.of(firstPort + "-" + (firstPort + PORTS - 1)));
  }

  /** Adds simulated machine number {@code n} (0-based) of the block. */
  SimulatedMachine add(String id, int n) throws IOException {
    return fleet.add(id, firstPort + n);
  }

  /** Replaces the machine's host key: it goes off, its key file is deleted, it boots again. */
  SimulatedMachine rekey(String id, int n) throws IOException {
    SimulatedMachine old = fleet.machine(id);
    old.powerOff();
    Files.delete(dir.resolve("fleet").resolve(id).resolve("ssh_host_key"));
    SimulatedFleet other = newFleet();
    return other.add(id, firstPort + n);
  }

  ProvisioningConfig config(String holder) {
    return ProvisioningConfig.of(holder, dm.apiUrls(), dm.token(org.autopilot.devicemanager.api.SatelliteService.PROVISIONING), operatorKey,
            ScanSettings.defaults(List.of(target())).withEvery(Duration.ofSeconds(1)))
        .withLeaseTtl(Duration.ofSeconds(2))
        .withSshTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  ProvisioningService service(ProvisioningConfig c) throws IOException {
    ProvisioningService s = ProvisioningService.start(c, InstantSource.system());
    synchronized (services) {
      services.add(s);
    }
    return s;
  }

  void accept(DmCommand... commands) {
    for (DmCommand c : commands) {
      CommandResult r = admin.send(c);
      assertThat(r.accepted()).as("%s: %s", c, r.reason()).isTrue();
    }
  }

  Machine machine(String id) {
    return admin.machine(MachineId.of(id)).orElseThrow();
  }

  List<Machine> machines() {
    return admin.allMachines(Map.of());
  }

  @Override
  public void close() {
    synchronized (services) {
      services.forEach(ProvisioningService::close);
    }
    fleets.forEach(SimulatedFleet::close);
    admin.close();
    dm.close();
  }

  /** The first of {@code n} consecutive loopback ports that are free now. */
  private static int freeBlock(int n) throws IOException {
    Random r = new Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = 20_000 + r.nextInt(30_000);
      boolean free = true;
      for (int p = first; p < first + n && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no block of " + n + " free loopback ports");
  }
}
