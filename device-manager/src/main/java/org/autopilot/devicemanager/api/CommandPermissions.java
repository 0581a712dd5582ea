package org.autopilot.devicemanager.api;

import java.util.List;
import java.util.Set;
import org.autopilot.devicemanager.command.*;
import org.autopilot.devicemanager.model.MachineId;

/**
 * Who may send which command: checked on every {@code POST /commands} before anything is
 * proposed, so a refused batch changes nothing. Viewers send nothing; a machine reports only
 * about itself; a satellite sends only its service's commands ({@link SatelliteService}) and
 * takes only its own leases; operators send everything but the commands that define the fleet's
 * shape; admins send everything. Pure: no I/O.
 */
public final class CommandPermissions {
  /** Commands that change what the fleet is made of (types and their images, scale units). */
  static final Set<Class<? extends DmCommand>> ADMIN_ONLY = Set.of(DefineMachineType.class,
      DefineScaleUnit.class);
  /** Commands that override what the automation trusts: humans only. */
  static final Set<Class<? extends DmCommand>> HUMAN_ONLY = Set.of(PinHostKey.class);

  private CommandPermissions() {}

  /** Throws 403 naming the first command of {@code commands} that {@code who} may not send. */
  public static void check(Principal who, List<DmCommand> commands) {
    for (int i = 0; i < commands.size(); i++) {
      String why = refusal(who, commands.get(i));
      if (why != null) {
        throw new ApiError(403, "command " + i + " (" + commands.get(i).getClass().getSimpleName()
            + ") refused: " + why);
      }
    }
  }

  /** Why {@code who} may not send {@code c}, or null when it may. */
  public static String refusal(Principal who, DmCommand c) {
    String kind = c.getClass().getSimpleName();
    return switch (who.role()) {
      case VIEWER -> "viewer " + who.name() + " may not change anything";
      case MACHINE -> ownReport(who, c) ? null : "machine principal " + who.name()
          + " may only report about itself (ReportHealth, ReportWatchdogs, ReportSoftware)";
      case SATELLITE -> satellite(who, c);
      case OPERATOR -> ADMIN_ONLY.contains(c.getClass()) ? "only an admin may send " + kind
          + "; " + who.name() + " is an operator" : null;
      case ADMIN -> null;
    };
  }

  private static String satellite(Principal who, DmCommand c) {
    SatelliteService s = who.service();
    String lease = c instanceof AcquireLease a ? a.service()
        : c instanceof ReleaseLease r ? r.service() : null;
    if (lease != null) {
      return s.leases().contains(lease) ? null : "satellite " + who.name() + " of service "
          + s.label() + " may hold only the leases " + s.leases() + ", not '" + lease + "'";
    }
    if (HUMAN_ONLY.contains(c.getClass())) {
      return "only an operator or an admin may send " + c.getClass().getSimpleName()
          + "; principal " + who.name() + " is a satellite";
    }
    return s.commands().contains(c.getClass()) ? null : "satellite " + who.name() + " of service "
        + s.label() + " may send only " + s.commands().stream().map(Class::getSimpleName).sorted()
        .toList() + " and its lease commands";
  }

  private static boolean ownReport(Principal who, DmCommand c) {
    if (c instanceof ReportWatchdogs w) {
      return w.reports() != null && !w.reports().isEmpty() && w.reports().stream().allMatch(
          r -> r != null && r.machine() != null && r.machine().value().equals(who.name()));
    }
    MachineId about = c instanceof ReportSoftware r ? r.machine()
        : c instanceof ReportHealth h ? h.machine() : null;
    return about != null && about.value().equals(who.name());
  }
}
