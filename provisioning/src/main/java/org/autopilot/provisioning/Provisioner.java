package org.autopilot.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.autopilot.devicemanager.api.FleetQueries.EventPage;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.ActivateManifest;
import org.autopilot.devicemanager.command.AssignManifest;
import org.autopilot.devicemanager.command.ChangeState;
import org.autopilot.devicemanager.command.DmCommand;
import org.autopilot.devicemanager.command.ReportProvisioning;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.WatchdogsReported;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.LifecycleState;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.model.ProvisioningStep;
import org.autopilot.devicemanager.model.WatchdogState;
import org.autopilot.manifests.ManifestRef;
import org.autopilot.provisioning.burnin.BurnInPlan;
import org.autopilot.provisioning.imaging.ImagingPlan;
import org.autopilot.provisioning.imaging.Installer;
import org.autopilot.provisioning.imaging.Probe;
import org.autopilot.provisioning.imaging.Round;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one machine one step further through New → Provisioning → BurnIn → Healthy: reads what
 * the machine shows, asks the pure plans ({@link ImagingPlan}, {@link BurnInPlan}) for the next
 * step, records it in the DM ({@code ReportProvisioning}, fenced by the lease: a refused record
 * means this replica is no longer the leader and nothing is done) <em>before</em> acting on the
 * machine, acts, and moves the machine with {@code ChangeState}. Once Healthy, the machine gets
 * its type's released manifest (assigned and activated; the app-manager runs it).
 */
public final class Provisioner {
  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
  /** The app-manager's watchdog naming its start (watchdogs' {@code AgentStartWatchdog}). */
  private static final String AGENT = "agent";
  private final DmClient dm;
  private final Installer installer;
  private final ImagingSettings imaging;
  private final BurnInSettings burnIn;
  private final String holder;
  private final List<String> dmUrls;
  private final InstantSource clock;
  private final byte[] machineSecret;
  /** The latest reason each held machine is held, so it is logged once. */
  private final Map<MachineId, String> held = new ConcurrentHashMap<>();

  /**
   * Thrown when the DM refuses a step because the machine changed since it was decided (moved,
   * replaced, reported on): nothing more is done; the next look decides again on what is now.
   */
  public static final class Stale extends RuntimeException {
    Stale(String why) {
      super(why);
    }
  }

  /** The machine a reconcile works on and the version its next record is based on. */
  private static final class Basis {
    final Machine m;
    long version;

    Basis(Machine m) {
      this.m = m;
      this.version = m.version();
    }
  }

  /** Thrown when the DM refuses a record because this replica does not hold the lease. */
  public static final class LeaseLost extends RuntimeException {
    LeaseLost(String why) {
      super(why);
    }
  }

  /** A provisioner acting as {@code holder}; agents are configured to talk to {@code dmUrls}. */
  public Provisioner(DmClient dm, Installer installer, ImagingSettings imaging, BurnInSettings burnIn,
      String holder, List<String> dmUrls, InstantSource clock) {
    this.dm = dm;
    this.installer = installer;
    this.imaging = imaging;
    this.burnIn = burnIn;
    this.holder = holder;
    this.dmUrls = List.copyOf(dmUrls);
    this.clock = clock;
    this.machineSecret = HexFormat.of().parseHex(imaging.machineSecret());
  }

  /** Whether {@code m} is provisioning's business now. */
  public static boolean concerns(Machine m) {
    return switch (m.state()) {
      case NEW, PROVISIONING, BURN_IN -> true;
      case HEALTHY -> {
        ProvisioningStep last = new Round(m.provisioning()).latest();
        yield last != null && last.step().equals(Round.BURNED_IN);
      }
      default -> false;
    };
  }

  /**
   * One step for {@code m}; {@code images} maps machine types to their images. Returns what was
   * decided, for logs and tests.
   */
  public String reconcile(Machine m, Map<String, String> images) {
    String image = m.machineType() == null ? null : images.get(m.machineType());
    return switch (m.state()) {
      case NEW, PROVISIONING -> image(m, image);
      case BURN_IN -> burnIn(m);
      case HEALTHY -> software(m);
      default -> "not provisioning's";
    };
  }

  private String image(Machine m, String image) {
    Basis b = new Basis(m);
    if (image != null && Installer.sha256Of(image) == null) {
      return hold(m, "its type " + m.machineType() + " names image '" + image
          + "', which is not a sha256 content address");
    }
    String config = image == null ? "" : Installer.agentConfig(imaging, m,
        TokenAuthenticator.machineToken(machineSecret, m.id().value()), dmUrls);
    Probe probe = installer.probe(m);
    Round round = new Round(m.provisioning());
    ProvisioningStep restart = round.last(Round.RESTART);
    boolean agentUp = m.state() == LifecycleState.PROVISIONING && restart != null
        && agentUpSince(m, restart.revision());
    ImagingPlan.Step step = ImagingPlan.next(m, image, probe, agentUp, Installer.sha256(config),
        clock.instant(), imaging);
    switch (step.kind()) {
      case HOLD -> {
        return hold(m, step.detail());
      }
      case WAIT -> {
        return "wait: " + step.detail();
      }
      case BEGIN -> {
        record(b, Round.BEGIN, step.detail());
        move(b, LifecycleState.PROVISIONING, "provisioning: " + step.detail());
      }
      case START -> move(b, LifecycleState.PROVISIONING, "provisioning: " + step.detail());
      case REIMAGE -> {
        record(b, Round.REIMAGE, step.detail());
        Installer.Outcome o = installer.reimage(m, image);
        if (!o.ok()) {
          record(b, Round.ATTEMPT_FAILED, o.detail());
        }
      }
      case INSTALL -> {
        Installer.Outcome o = installer.install(m, image);
        record(b, o.ok() ? Round.INSTALLED : Round.ATTEMPT_FAILED, o.detail());
      }
      case CONFIGURE -> {
        Installer.Outcome o = installer.configure(m, config);
        record(b, o.ok() ? Round.CONFIGURED : Round.ATTEMPT_FAILED, o.detail());
      }
      case RESTART -> {
        record(b, Round.RESTART, step.detail());
        Installer.Outcome o = installer.restart(m);
        if (!o.ok()) {
          record(b, Round.ATTEMPT_FAILED, o.detail());
        }
      }
      case ATTEMPT_FAILED -> record(b, Round.ATTEMPT_FAILED, step.detail());
      case FAIL -> {
        record(b, Round.FAILED, step.detail());
        move(b, LifecycleState.NEW, "imaging failed: " + step.detail());
        LOG.warn("{}: imaging failed, back to New: {}", m.id(), step.detail());
      }
      case DONE -> {
        record(b, Round.AGENT_UP, step.detail());
        move(b, LifecycleState.BURN_IN, "imaged: " + step.detail());
        LOG.info("{}: imaged with {}; burn-in for {}", m.id(), image, burnIn.duration());
      }
      default -> throw new IllegalStateException("unhandled " + step.kind());
    }
    return step.kind().name().toLowerCase() + ": " + step.detail();
  }

  private String burnIn(Machine m) {
    Basis b = new Basis(m);
    ProvisioningStep up = new Round(m.provisioning()).last(Round.AGENT_UP);
    List<String> errors = errorsSince(m, up == null ? m.version() : up.revision());
    BurnInPlan.Step step = BurnInPlan.next(m, errors, clock.instant(), burnIn);
    switch (step.kind()) {
      case WAIT -> {
        return "wait: " + step.detail();
      }
      case FAIL -> {
        record(b, Round.BURN_IN_FAILED, step.detail());
        move(b, LifecycleState.FAILURE, step.detail());
        LOG.warn("{}: {}; into the repair loop", m.id(), step.detail());
      }
      case PASS -> {
        record(b, Round.BURNED_IN, step.detail());
        move(b, LifecycleState.HEALTHY, "burn-in passed: " + step.detail());
        LOG.info("{}: burn-in passed, Healthy", m.id());
        dm.machine(m.id()).ifPresent(this::software);
      }
      default -> throw new IllegalStateException("unhandled " + step.kind());
    }
    return step.kind().name().toLowerCase() + ": " + step.detail();
  }

  /** Gives a machine that just passed burn-in its type's released manifest (and an open rollout's). */
  private String software(Machine m) {
    if (m.state() != LifecycleState.HEALTHY || m.machineType() == null) {
      return "no software step";
    }
    Basis b = new Basis(m);
    ManifestRef released = null;
    ManifestRef rolling = null;
    for (JsonNode r : dm.getJson("rollouts").path("items")) {
      if (m.machineType().equals(r.path("machineType").asText())) {
        released = ref(r.path("released"));
        String status = r.path("status").asText();
        if (status.equals("RUNNING") || status.equals("PAUSED")) {
          rolling = ref(r.path("to"));
        }
      }
    }
    String detail = released == null ? "type " + m.machineType() + " has no released manifest yet"
        : "assigned and activated " + released + (rolling != null && !rolling.equals(released)
            ? "; assigned " + rolling + " for the rollout under way" : "");
    // Recorded first, on the version read: a machine replaced or moved since is left alone.
    record(b, Round.SOFTWARE, detail);
    List<String> done = new ArrayList<>();
    for (ManifestRef ref : Arrays.asList(released, rolling)) {
      if (ref != null && !m.software().assigned().contains(ref) && !done.contains(ref.toString())) {
        send(new AssignManifest(List.of(m.id()), ref, "provisioning: " + m.id() + " joins type "
            + m.machineType()), "assign " + ref);
        done.add(ref.toString());
      }
    }
    if (released != null && !released.equals(m.software().active())) {
      // fenced on what was active when this was decided: a late or stale activation never
      // undoes a newer one (a rollout's)
      send(new ActivateManifest(List.of(m.id()), released, "provisioning: " + m.id()
          + " runs its type's released version", ActivateManifest.seen(m.software().active())),
          "activate " + released);
    }
    return "software: " + detail;
  }

  private static ManifestRef ref(JsonNode n) {
    return n == null || n.isMissingNode() || n.isNull() ? null : ManifestRef.parse(n.asText());
  }

  /**
   * Whether the agent showed it is up after revision {@code after}: its {@code agent} watchdog
   * (whose text names the start, so every start is a recorded change) or a heartbeat OK.
   */
  private boolean agentUpSince(Machine m, long after) {
    WatchdogState hb = m.watchdogs().get("heartbeat");
    WatchdogState agent = m.watchdogs().get(AGENT);
    if ((hb == null || hb.status() != Health.OK) && (agent == null || agent.status() != Health.OK)) {
      return false;
    }
    for (DmEvent e : trail(m, after)) {
      if (e instanceof WatchdogsReported w && w.changed().stream()
          .anyMatch(s -> (s.name().equals("heartbeat") || s.name().equals(AGENT)) && s.status() == Health.OK)) {
        return true;
      }
    }
    return false;
  }

  /** The Errors the machine's watchdogs reported after revision {@code after}. */
  private List<String> errorsSince(Machine m, long after) {
    List<String> out = new ArrayList<>();
    for (DmEvent e : trail(m, after)) {
      if (e instanceof WatchdogsReported w) {
        w.changed().stream().filter(s -> s.status() == Health.ERROR)
            .forEach(s -> out.add(s.name() + ": " + s.text()));
      }
    }
    return out;
  }

  /** The machine's audit events after {@code after}, at most 10 pages of 1,000. */
  private List<DmEvent> trail(Machine m, long after) {
    List<DmEvent> out = new ArrayList<>();
    long from = after;
    for (int page = 0; page < 10; page++) {
      EventPage p = dm.events(m.id(), from, 1000);
      out.addAll(p.items());
      if (p.next() == null || p.items().isEmpty()) {
        break;
      }
      from = p.items().get(p.items().size() - 1).revision();
    }
    return out;
  }

  private String hold(Machine m, String why) {
    if (!why.equals(held.put(m.id(), why))) {
      LOG.info("{}: not provisioned now: {}", m.id(), why);
    }
    return "hold: " + why;
  }

  /**
   * Records a step, based on the version the decision was made on (or our own last change since):
   * refused as stale if the machine changed otherwise, as lease-held if we are no longer leader.
   */
  private void record(Basis b, String step, String detail) {
    String d = detail.length() > 1000 ? detail.substring(0, 997) + "..." : detail;
    CommandResult r = dm.send(new ReportProvisioning(b.m.id(), b.version, holder, step, d,
        "provisioning " + step));
    if (!r.accepted()) {
      if (r.code() == Decision.Rejection.LEASE_HELD) {
        throw new LeaseLost(r.reason());
      }
      if (r.code() == Decision.Rejection.STALE) {
        throw new Stale(b.m.id() + ": step " + step + " not recorded: " + r.reason());
      }
      throw new IllegalStateException(b.m.id() + ": step " + step + " not recorded: " + r.reason());
    }
    b.version = r.revision();
  }

  /** Moves the machine (the transition table guards the move); the next record is based on it. */
  private void move(Basis b, LifecycleState to, String cause) {
    String c = cause.length() > 4000 ? cause.substring(0, 3997) + "..." : cause;
    // fenced like the steps: a look based on a listing older than our own last change (read
    // while another worker was still moving the machine) is refused as stale, not half-done
    CommandResult r = dm.send(new ChangeState(b.m.id(), b.version, to, c));
    if (!r.accepted()) {
      if (r.code() == Decision.Rejection.STALE) {
        throw new Stale(b.m.id() + ": not moved to " + to.label() + ": " + r.reason());
      }
      throw new IllegalStateException(b.m.id() + ": not moved to " + to.label() + ": " + r.reason());
    }
    b.version = r.revision();
  }

  private void send(DmCommand c, String what) {
    try {
      CommandResult r = dm.send(c);
      if (!r.accepted()) {
        LOG.warn("{}: {} refused: {}", holder, what, r.reason());
      }
    } catch (DmClientException e) {
      LOG.warn("{}: {} not confirmed: {}", holder, what, e.getMessage());
    }
  }
}
