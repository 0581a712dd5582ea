package org.autopilot.fleetsim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated machine: a real SSH server on {@code 127.0.0.1:port} whose host key persists
 * in its directory, which accepts only the configured public keys, and whose disk is
 * {@code <dir>/disk}. While powered off, rebooting or cut off by {@link Fault#DEAD_NETWORK}
 * its port refuses connections, as a real machine's would.
 */
public final class SimulatedMachine implements AutoCloseable {
  /** Power state as a BMC would report it. */
  public enum Power { ON, OFF }

  private static final Logger LOG = LoggerFactory.getLogger(SimulatedMachine.class);

  private final String id;
  private final Path dir;
  private final int port;
  private final Collection<PublicKey> authorized;
  private final Supplier<MachineAgent> agents;
  private final ScheduledExecutorService scheduler;
  private final Duration rebootDelay;
  private final SimpleGeneratorHostKeyProvider hostKeys;
  private final EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
  private volatile long lastActionMillis;
  private final java.util.List<String> reimages = new java.util.concurrent.CopyOnWriteArrayList<>();
  private SshServer ssh;
  private MachineAgent agent;
  private Power power = Power.OFF;
  private int boots;

  SimulatedMachine(String id, Path dir, int port, Collection<PublicKey> authorized,
      Supplier<MachineAgent> agents, ScheduledExecutorService scheduler, Duration rebootDelay) {
    this.id = id;
    this.dir = dir;
    this.port = port;
    this.authorized = List.copyOf(authorized);
    this.agents = agents;
    this.scheduler = scheduler;
    this.rebootDelay = rebootDelay;
    this.hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("ssh_host_key"));
    hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
    hostKeys.setKeySize(256);
  }

  /** This machine's id, as {@code machine-id} prints it. */
  public String id() {
    return id;
  }

  /** Its SSH port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The SSH host key's fingerprint ({@code SHA256:...}), as a client would pin it. */
  public String hostKeyFingerprint() {
    return KeyUtils.getFingerPrint(hostKeys.loadKeys(null).iterator().next().getPublic());
  }

  /** Its disk: wiped by reimage. */
  public Path disk() {
    return dir.resolve("disk");
  }

  /** How many times it has booted. */
  public synchronized int boots() {
    return boots;
  }

  /** Its power state. */
  public synchronized Power power() {
    return power;
  }

  /**
   * Wall-clock time (epoch ms) at which it last received a reboot, reimage or power-off
   * request, 0 if never: when a repair action reached it (for measurements, not decisions).
   */
  public long lastActionMillis() {
    return lastActionMillis;
  }

  /**
   * The images it was asked to install with {@code reimage}, oldest first: how many installs
   * reached it (for tests and measurements, not decisions).
   */
  public java.util.List<String> reimages() {
    return java.util.List.copyOf(reimages);
  }

  /** What runs on it now (its agent), or null while it is off. */
  public synchronized MachineAgent agent() {
    return agent;
  }

  /** The faults injected now. */
  public synchronized Set<Fault> faults() {
    return EnumSet.copyOf(faults);
  }

  /** Whether a fault is injected. */
  public synchronized boolean has(Fault f) {
    return faults.contains(f);
  }

  /** Injects a fault; {@link Fault#DEAD_NETWORK} takes the SSH endpoint down at once. */
  public synchronized void inject(Fault f) {
    faults.add(f);
    if (f == Fault.DEAD_NETWORK) {
      stopSsh();
    }
  }

  /** Clears a fault. */
  public synchronized void clear(Fault f) {
    faults.remove(f);
    if (f == Fault.DEAD_NETWORK && power == Power.ON) {
      startSsh();
    }
  }

  /** Powers on and boots (as the BMC would); a no-op when already on. */
  public synchronized void powerOn() {
    if (power == Power.ON) {
      return;
    }
    power = Power.ON;
    boots++;
    try {
      Files.createDirectories(disk());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!faults.contains(Fault.DEAD_NETWORK)) {
      startSsh();
    }
    agent = agents.get();
    agent.start(this);
    LOG.info("{} booted (boot {}) on port {}", id, boots, port);
  }

  /** Cuts the power: agent and SSH stop at once. */
  public synchronized void powerOff() {
    if (power == Power.OFF) {
      return;
    }
    power = Power.OFF;
    if (agent != null) {
      agent.stop();
      agent = null;
    }
    stopSsh();
    LOG.info("{} powered off", id);
  }

  /**
   * Powers off shortly (off the caller's thread), as a BMC does after answering: the SSH answer
   * and exit status of {@code power off} leave before the endpoint goes away.
   */
  void powerOffSoon() {
    lastActionMillis = System.currentTimeMillis();
    scheduler.schedule(this::powerOff, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Shuts down now and boots again after the reboot delay (off the caller's thread); faults a
   * reboot cures ({@link Fault#curedByReboot()}) are gone.
   */
  public void reboot() {
    lastActionMillis = System.currentTimeMillis();
    scheduler.schedule(() -> {
      powerOff();
      synchronized (this) {
        faults.removeIf(Fault::curedByReboot);
      }
      scheduler.schedule(this::powerOn, rebootDelay.toMillis(), TimeUnit.MILLISECONDS);
    }, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Shuts down, wipes the disk, installs {@code image} (a marker file) and boots again; like a
   * reboot, it cures the faults a reboot cures.
   */
  public void reimage(String image) {
    lastActionMillis = System.currentTimeMillis();
    reimages.add(image);
    scheduler.schedule(() -> {
      powerOff();
      synchronized (this) {
        faults.removeIf(Fault::curedByReboot);
      }
      try {
        wipe(disk());
        Files.createDirectories(disk());
        Files.writeString(disk().resolve("image"), image + "\n");
      } catch (IOException e) {
        LOG.error("{}: reimage failed", id, e);
        return;
      }
      scheduler.schedule(this::powerOn, rebootDelay.toMillis(), TimeUnit.MILLISECONDS);
    }, 100, TimeUnit.MILLISECONDS);
  }

  private void startSsh() {
    if (ssh != null) {
      return;
    }
    SshServer s = SshServer.setUpDefaultServer();
    s.setHost("127.0.0.1");
    s.setPort(port);
    s.setKeyPairProvider(hostKeys);
    s.setPasswordAuthenticator(null);
    s.setKeyboardInteractiveAuthenticator(null);
    s.setPublickeyAuthenticator((user, key, session) ->
        authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
    s.setCommandFactory((channel, command) -> new MachineCommand(this, command));
    try {
      s.start();
    } catch (IOException e) {
      throw new UncheckedIOException(id + ": cannot listen on 127.0.0.1:" + port, e);
    }
    ssh = s;
  }

  private void stopSsh() {
    if (ssh == null) {
      return;
    }
    try {
      ssh.stop(true);
    } catch (IOException e) {
      LOG.warn("{}: SSH stop failed", id, e);
    }
    ssh = null;
  }

  @Override
  public void close() {
    powerOff();
  }

  private static void wipe(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
