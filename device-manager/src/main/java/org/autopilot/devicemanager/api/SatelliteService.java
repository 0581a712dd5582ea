package org.autopilot.devicemanager.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.autopilot.devicemanager.command.*;

/**
 * The satellite services a {@link Role#SATELLITE} principal speaks for, and what each may send:
 * a satellite's credential can do only what its service does. Lease commands are limited to the
 * service's own leases, so one service cannot take over another's leadership.
 */
public enum SatelliteService {
  /** Discovery, placement, imaging and burn-in: finds machines and brings them into service. */
  PROVISIONING(Set.of(RegisterMachine.class, PlaceMachine.class, ChangeState.class,
      AssignManifest.class, ActivateManifest.class, ReportProvisioning.class, ReportWatchdogs.class,
      ReportHostKeyChange.class), Set.of("provisioning")),
  /** Carries out the repairs the DM hands out. */
  REPAIR(Set.of(ClaimRepair.class, StartRepair.class, FinishRepair.class,
      ReportHostKeyChange.class), Set.of("repair")),
  /** Takes machines' watchdog reports, probes machines from outside, forwards verdicts. */
  WATCHDOG(Set.of(ReportWatchdogs.class, ReportHealth.class, ReportHostKeyChange.class),
      Set.of("watchdog-service")),
  /** Deployment servers, git ingest and the rollout driver. */
  DEPLOYMENT(Set.of(RegisterManifest.class, RecordIngest.class, StartRollout.class,
      AdvanceRollout.class), Set.of("deployment-ingest", "rollout-driver"));

  private final Set<Class<? extends DmCommand>> commands;
  private final Set<String> leases;

  SatelliteService(Set<Class<? extends DmCommand>> commands, Set<String> leases) {
    this.commands = commands;
    this.leases = leases;
  }

  /** The service's name in configuration and in the audit trail, e.g. {@code provisioning}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The command types this service may send, lease commands aside. */
  public Set<Class<? extends DmCommand>> commands() {
    return commands;
  }

  /** The leases this service may acquire and release. */
  public Set<String> leases() {
    return leases;
  }

  /** The service of {@code label} (case-insensitive), or an error listing the known ones. */
  public static SatelliteService parse(String label) {
    for (SatelliteService s : values()) {
      if (s.label().equalsIgnoreCase(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown satellite service '" + label + "'; known: "
        + Arrays.stream(values()).map(SatelliteService::label).toList());
  }
}
