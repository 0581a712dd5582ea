package org.autopilot.watchdogs.service;

import org.autopilot.devicemanager.api.MachineTokens;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.client.LeaseKeeper;
import org.autopilot.devicemanager.model.Lease;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.tls.ServerIdentity;
import org.autopilot.tls.TrustBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of the watchdog service, a satellite of the DM. Replicas elect a leader with the
 * DM lease {@value #LEASE} (the holder name carries the leader's URL, {@code id@url}). The
 * leader takes machines' reports over HTTP, keeps per machine what its watchdogs say and what
 * the DM was told, and forwards only changes in batched {@code ReportWatchdogs} commands; it
 * gives machines that stop reporting a {@code heartbeat} Error and probes every machine in
 * service from outside over SSH ({@code ssh}). A new leader reads the fleet from the DM first
 * (so it does not repeat what the DM already has) and gives every machine a fresh grace period;
 * then it follows the DM's audit trail for machines that appear, move or change type.
 * Others answer 503 and name the leader. See {@code docs/watchdog-service.md}.
 */
public final class WatchdogService implements AutoCloseable {
  /** The DM lease the replicas compete for. */
  public static final String LEASE = "watchdog-service";
  private static final Logger LOG = LoggerFactory.getLogger(WatchdogService.class);

  private final WatchdogServiceConfig config;
  private final InstantSource clock;
  /** The changed host key last reported per machine, and when. */
  private final Map<MachineId,
      Map.Entry<String, java.time.Instant>> reportedKeys = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Duration HOST_KEY_REPORT_EVERY = Duration.ofMinutes(1);
  private final DmClient dm;
  private final ReportIntake intake;
  private final String url;
  private final LeaseKeeper lease;
  private final VerdictForwarder forwarder;
  private final FleetFollower follower;
  private final SshProber prober;
  private final ScheduledExecutorService timers;
  private final ScheduledExecutorService probes;
  private final ExecutorService lookups;
  private final Thread leadership;
  private volatile Term term;
  private volatile String otherLeader;
  private volatile boolean running = true;
  private long flushBackoffUntil;
  private long flushBackoffMillis;

  /**
   * One leadership term: the fleet picture built for it, usable once {@code ready}.
   *
   * @param epoch the lease epoch this term holds
   * @param verdicts the fleet's verdicts, fresh for this term
   * @param ready whether the fleet has been read from the DM (reports are taken only then)
   * @param followed the DM revision the picture is up to date with
   */
  record Term(long epoch, FleetVerdicts verdicts, java.util.concurrent.atomic.AtomicBoolean ready,
      java.util.concurrent.atomic.AtomicLong followed) {}

  private WatchdogService(WatchdogServiceConfig config, InstantSource clock) throws IOException {
    this.config = config;
    this.clock = clock;
    // certificate files are checked before anything starts
    ServerIdentity identity = config.tls() == null ? null
        : ServerIdentity.load(config.tls(), "tls", InstantSource.system());
    TrustBundle trust = TrustBundle.loadIfGiven(config.caFile(), "caFile");
    this.dm = new DmClient(config.dmUrls(), config.dmToken(), trust, new Random(), Duration.ofSeconds(10), 3);
    String cause = "watchdog service " + config.id();
    this.forwarder = new VerdictForwarder(dm, cause);
    this.follower = new FleetFollower(dm, cause);
    this.intake = new ReportIntake(this, new MachineTokens(config.machineSecret()));
    intake.start(config.host(), config.port(), identity); // until it leads, it answers 503
    this.url = config.advertise() != null ? config.advertise()
        : (identity == null ? "http" : "https") + "://" + config.host() + ":" + intake.port();
    this.lease = new LeaseKeeper(dm, LEASE, config.id() + "@" + url, config.leaseTtl(), clock);
    this.prober = config.probeInterval() == null ? null : new SshProber(
        config.sshKey() == null ? null : loadKey(config.sshKey()), config.sshUser(),
        config.probeTimeout(), config.probeConcurrency());
    this.timers = Executors.newScheduledThreadPool(2, daemon("wd-timer"));
    this.probes = Executors.newSingleThreadScheduledExecutor(daemon("wd-probe-round"));
    this.lookups = Executors.newSingleThreadExecutor(daemon("wd-lookup"));
    long flush = config.flushInterval().toMillis();
    timers.scheduleWithFixedDelay(this::flush, flush, flush, TimeUnit.MILLISECONDS);
    long sweep = config.heartbeatSweep().toMillis();
    timers.scheduleWithFixedDelay(() -> whileReady(t -> t.verdicts().sweepHeartbeats()), sweep, sweep,
        TimeUnit.MILLISECONDS);
    long refresh = config.fleetRefresh().toMillis();
    timers.scheduleWithFixedDelay(() -> whileReady(this::follow), refresh, refresh, TimeUnit.MILLISECONDS);
    if (prober != null) {
      long every = config.probeInterval().toMillis();
      probes.scheduleWithFixedDelay(this::probeRound, Math.min(every, 1000), every, TimeUnit.MILLISECONDS);
    }
    this.leadership = new Thread(this::lead, "wd-lease-" + config.id());
    leadership.setDaemon(true);
    leadership.start();
  }

  /** Starts a replica: serves at once, leads when it gets the lease. */
  public static WatchdogService start(WatchdogServiceConfig config, InstantSource clock) throws IOException {
    return new WatchdogService(config, clock);
  }

  /** This replica's base URL (what it advertises as leader). */
  public String url() {
    return url;
  }

  /** Whether this replica holds the lease (it may still be reading the fleet). */
  public boolean leading() {
    return term != null;
  }

  /** Whether this replica leads and takes reports. */
  public boolean ready() {
    Term t = term;
    return t != null && t.ready().get();
  }

  /** The leading replica's URL when it is another one, else null. */
  String leaderUrl() {
    return term != null ? null : otherLeader;
  }

  /** The current term if reports can be taken. */
  Term readyTerm() {
    Term t = term;
    return t != null && t.ready().get() ? t : null;
  }

  /** Counters and leadership, for {@code GET /api/v1/status}. */
  public Map<String, Object> status() {
    Term t = term;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", config.id());
    out.put("url", url);
    out.put("leading", t != null);
    out.put("ready", t != null && t.ready().get());
    out.put("leader", t != null ? url : otherLeader);
    out.put("epoch", t == null ? null : t.epoch());
    out.put("machines", t == null ? 0 : t.verdicts().machines());
    out.put("queued", t == null ? 0 : t.verdicts().queued());
    out.put("reportsAccepted", intake.accepted.get());
    out.put("reportsRefused", intake.refused.get());
    out.put("reportsRedirected", intake.redirected.get());
    out.put("commandsSent", forwarder.commands.get());
    out.put("verdictsForwarded", forwarder.verdicts.get());
    out.put("entriesRefusedByDm", forwarder.refusedEntries.get());
    out.put("dmFailures", forwarder.failures.get());
    return out;
  }

  /** Asks the DM whether a machine seen for the first time exists (one at a time, in the background). */
  void lookup(Term t, MachineId id) {
    lookups.execute(() -> {
      if (term != t) {
        return;
      }
      try {
        t.verdicts().lookedUp(id, dm.machine(id));
      } catch (DmClientException e) {
        t.verdicts().lookupFailed(id);
      }
    });
  }

  /** For tests: what the DM was last told about a watchdog of a machine, in this term. */
  java.util.Optional<org.autopilot.devicemanager.command.ReportWatchdogs.Verdict> told(MachineId id, String watchdog) {
    Term t = term;
    return t == null ? java.util.Optional.empty() : t.verdicts().told(id, watchdog);
  }

  /** For tests: what a machine's watchdog says now, in this term. */
  java.util.Optional<org.autopilot.devicemanager.command.ReportWatchdogs.Verdict> current(MachineId id, String watchdog) {
    Term t = term;
    return t == null ? java.util.Optional.empty() : t.verdicts().current(id, watchdog);
  }

  /** For tests: whether this term knows the machine (from the DM). */
  boolean knows(MachineId id) {
    Term t = term;
    return t != null && t.verdicts().knows(id);
  }

  /** Looks for silent machines now (also done every {@code heartbeatSweep}). */
  void sweepHeartbeats() {
    whileReady(t -> t.verdicts().sweepHeartbeats());
  }

  private void lead() {
    long every = Math.max(100, config.leaseTtl().toMillis() / 3);
    while (running) {
      try {
        if (lease.tryHold()) {
          Term t = term;
          if (t == null || t.epoch() != lease.epoch()) {
            begin(lease.epoch());
          }
        } else {
          if (term != null) {
            LOG.warn("{}: lost the {} lease; no longer leading", config.id(), LEASE);
            term = null;
          }
          otherLeader = findLeader();
        }
      } catch (RuntimeException e) {
        LOG.warn("{}: leadership round failed: {}", config.id(), e.toString());
      }
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void begin(long epoch) {
    Term t = new Term(epoch, new FleetVerdicts(clock), new java.util.concurrent.atomic.AtomicBoolean(),
        new java.util.concurrent.atomic.AtomicLong());
    term = t;
    otherLeader = null;
    LOG.info("{}: leading (lease epoch {}); reading the fleet from the DM", config.id(), epoch);
    timers.execute(() -> readFleet(t));
  }

  /** Reads policies and every machine (with what the DM has of its watchdogs); then takes reports. */
  private void readFleet(Term t) {
    if (term != t || !running) {
      return;
    }
    try {
      t.followed().set(follower.readAll(t.verdicts()));
      t.ready().set(true);
      LOG.info("{}: took {} machines from the DM; each has a fresh heartbeat grace period",
          config.id(), t.verdicts().machines());
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot read the fleet yet: {}", config.id(), e.getMessage());
      timers.schedule(() -> readFleet(t), 1, TimeUnit.SECONDS);
    }
  }

  private void follow(Term t) {
    t.followed().set(follower.follow(t.verdicts(), t.followed().get()));
  }

  private void flush() {
    Term t = readyTerm();
    if (t == null || System.nanoTime() < flushBackoffUntil) {
      return;
    }
    try {
      if (forwarder.flush(t.verdicts())) {
        flushBackoffMillis = 0;
      } else {
        flushBackoffMillis = Math.min(5000, Math.max(200, flushBackoffMillis * 2));
        flushBackoffUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(flushBackoffMillis);
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: flush failed", config.id(), e);
    }
  }

  private void probeRound() {
    Term t = readyTerm();
    if (t == null || prober == null) {
      return;
    }
    try {
      prober.probeAll(t.verdicts().probeTargets(), r -> {
        if (term == t) {
          t.verdicts().probed(r.machine(), r.status(), r.text());
          if (r.presentedKey() != null) {
            reportHostKeyChange(r);
          }
        }
      }, () -> running && term == t);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("{}: probe round failed", config.id(), e);
    }
  }

  /**
   * A changed host key is the DM's business: it opens an incident and stops automation there.
   * Every probe sees the key again; the same key of the same machine is reported at most once a
   * minute (each report is a Raft entry, even when the DM finds it already known), yet again
   * later so that an incident resolved while the impostor stays is opened again.
   */
  private void reportHostKeyChange(SshProber.Result r) {
    java.time.Instant now = clock.instant();
    Map.Entry<String, java.time.Instant> last = reportedKeys.get(r.machine());
    if (last != null && last.getKey().equals(r.presentedKey())
        && now.isBefore(last.getValue().plus(HOST_KEY_REPORT_EVERY))) {
      return;
    }
    if (reportedKeys.size() > 100_000) {
      reportedKeys.clear();
    }
    reportedKeys.put(r.machine(), Map.entry(r.presentedKey(), now));
    try {
      dm.send(new org.autopilot.devicemanager.command.ReportHostKeyChange(r.machine(),
          r.presentedKey(), config.id() + " probing it over SSH"));
    } catch (DmClientException e) {
      LOG.warn("{}: could not report the changed host key of {}: {}", config.id(), r.machine(),
          e.getMessage());
    }
  }

  private void whileReady(java.util.function.Consumer<Term> task) {
    Term t = readyTerm();
    if (t == null) {
      return;
    }
    try {
      task.accept(t);
    } catch (DmClientException e) {
      LOG.warn("{}: {}", config.id(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("{}: periodic task failed", config.id(), e);
    }
  }

  /** The leader's URL from the lease holder name {@code id@url}, or null. */
  private String findLeader() {
    try {
      for (Lease l : dm.leases()) {
        if (l.service().equals(LEASE)) {
          int at = l.holder().indexOf('@');
          return at < 0 ? null : l.holder().substring(at + 1);
        }
      }
    } catch (DmClientException e) {
      // unknown for now
    }
    return null;
  }

  /** Stops without giving the lease up, as a crash would (tests of failover). */
  void halt() {
    stop();
    dm.close();
  }

  private void stop() {
    running = false;
    term = null;
    leadership.interrupt();
    try {
      leadership.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    probes.shutdownNow();
    timers.shutdownNow();
    lookups.shutdownNow();
    if (prober != null) {
      prober.close();
    }
    intake.close();
  }

  /** Stops serving and gives the lease up, so another replica leads at once. */
  @Override
  public void close() {
    boolean held = term != null;
    stop();
    if (held) {
      lease.release();
    }
    dm.close();
  }

  private static KeyPair loadKey(java.nio.file.Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Iterator<KeyPair> keys = OpenSSHKeyPairResourceParser.INSTANCE
          .loadKeyPairs(null, file::toString, null, in).iterator();
      if (!keys.hasNext()) {
        throw new IOException(file + " holds no key pair");
      }
      return keys.next();
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
