package org.autopilot.fleetsim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A set of simulated machines under one directory ({@code <base>/<id>/}), each on its own
 * loopback port, sharing one scheduler for reboots. Machines keep their host keys and disks
 * across restarts of the simulator.
 */
public final class SimulatedFleet implements AutoCloseable {
  private final Path base;
  private final Collection<PublicKey> authorized;
  private final Supplier<MachineAgent> agents;
  private final Duration rebootDelay;
  private final Map<String, SimulatedMachine> machines = new LinkedHashMap<>();
  private int blockFirst;
  private int blockSize;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "fleet-sim");
    t.setDaemon(true);
    return t;
  });

  /**
   * A fleet under {@code base} accepting SSH logins with {@code authorized} keys; every machine
   * runs an agent from {@code agents}; reboots take {@code rebootDelay}.
   */
  public SimulatedFleet(Path base, Collection<PublicKey> authorized, Supplier<MachineAgent> agents,
      Duration rebootDelay) {
    this.base = base;
    this.authorized = List.copyOf(authorized);
    this.agents = agents;
    this.rebootDelay = rebootDelay;
  }

  /**
   * Machines added without a port take the lowest free port of {@code first .. first+size-1}
   * (where a scan of that block finds them), and only when the block is full a random one.
   */
  public synchronized SimulatedFleet usePortBlock(int first, int size) {
    if (first < 1 || size < 1 || first + size - 1 > 65535) {
      throw new IllegalArgumentException("port block " + first + "+" + size + " is not within 1..65535");
    }
    blockFirst = first;
    blockSize = size;
    return this;
  }

  /** Adds a machine on a free loopback port (or {@code port}) and powers it on. */
  public synchronized SimulatedMachine add(String id, int port) throws IOException {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("machine id '" + id + "' is not a valid id");
    }
    if (machines.containsKey(id)) {
      throw new IllegalArgumentException("machine " + id + " exists already");
    }
    Path dir = Files.createDirectories(base.resolve(id));
    SimulatedMachine m = new SimulatedMachine(id, dir, port == 0 ? nextPort() : port, authorized,
        agents, scheduler, rebootDelay);
    machines.put(id, m);
    m.powerOn();
    return m;
  }

  /** The machine with this id, or null. */
  public synchronized SimulatedMachine machine(String id) {
    return machines.get(id);
  }

  /** Every machine, in the order added. */
  public synchronized List<SimulatedMachine> machines() {
    return new ArrayList<>(machines.values());
  }

  @Override
  public synchronized void close() {
    machines.values().forEach(SimulatedMachine::close);
    scheduler.shutdownNow();
  }

  private int nextPort() throws IOException {
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    machines.values().forEach(m -> taken.add(m.port()));
    for (int p = blockFirst; p < blockFirst + blockSize; p++) {
      if (!taken.contains(p) && bindable(p)) {
        return p;
      }
    }
    return freePort();
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
