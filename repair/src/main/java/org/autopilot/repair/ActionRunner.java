package org.autopilot.repair;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.autopilot.devicemanager.api.FleetQueries.RepairItem;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.FinishRepair;
import org.autopilot.devicemanager.command.ReportHostKeyChange;
import org.autopilot.devicemanager.command.StartRepair;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.Repair;
import org.autopilot.repair.plan.CommandMap;
import org.autopilot.repair.ssh.ManagementShell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one claimed repair: {@code StartRepair}, then the command over SSH only if the DM
 * accepted the start, then {@code FinishRepair} with the outcome. The DM accepts a start once
 * per repair, and only from the claimer still holding the lease epoch it claimed under, so the
 * command runs at most once whoever else tries.
 */
final class ActionRunner {
  /** How a run ended. */
  enum Result {
    /** The DM refused the start (or it could not be confirmed): nothing was done. */
    NOT_STARTED,
    /** Started, acted, and the outcome reported (or refused as stale by the DM). */
    REPORTED,
    /** Started and acted, but the service crashed before reporting; the DM times it out. */
    ABANDONED
  }

  private static final Logger LOG = LoggerFactory.getLogger(ActionRunner.class);
  private static final int MAX_DETAIL = 1000;
  private static final int ATTEMPTS = 6;

  private final DmClient dm;
  private final String holder;
  private final ManagementShell shell;
  private final CommandMap commands;
  private final BooleanSupplier stopping;
  private final BooleanSupplier crashed;

  /**
   * A runner for {@code holder}; once {@code stopping} holds it starts nothing new (a claim left
   * unstarted is claimed again by the next leader); once {@code crashed} holds it reports nothing.
   */
  ActionRunner(DmClient dm, String holder, ManagementShell shell, CommandMap commands,
      BooleanSupplier stopping, BooleanSupplier crashed) {
    this.dm = dm;
    this.holder = holder;
    this.shell = shell;
    this.commands = commands;
    this.stopping = stopping;
    this.crashed = crashed;
  }

  /** Starts, executes and reports {@code item}'s repair, claimed under lease {@code epoch}. */
  Result run(RepairItem item, long epoch, Runnable onStarted) {
    Repair r = item.repair();
    String what = r.action().label() + " of " + item.machine() + " (repair " + r.id() + ")";
    if (stopping.getAsBoolean() || !start(item, epoch, what)) {
      return Result.NOT_STARTED;
    }
    onStarted.run();
    ManagementShell.Outcome outcome = act(item, what);
    if (crashed.getAsBoolean()) {
      return Result.ABANDONED;
    }
    LOG.info("{}: {} - {}", what, outcome.succeeded() ? "succeeded" : "failed", outcome.detail());
    if (outcome.presentedKey() != null) {
      reportHostKeyChange(item, outcome.presentedKey(), what);
    }
    finish(item, outcome, what);
    return Result.REPORTED;
  }

  private ManagementShell.Outcome act(RepairItem item, String what) {
    String command;
    try {
      command = commands.render(item);
    } catch (IllegalArgumentException e) {
      return new ManagementShell.Outcome(false, "not run: cannot build the command: " + e.getMessage());
    }
    LOG.info("{}: running '{}' on {}", what, command, item.address());
    return shell.run(item.address(), item.hostKeyFingerprint(), command);
  }

  /** The DM opens an incident and stops automation on the machine; once is enough. */
  private void reportHostKeyChange(RepairItem item, String presented, String what) {
    try {
      CommandResult res = dm.send(new ReportHostKeyChange(item.machine(), presented,
          holder + " at " + item.address() + ", before " + what));
      if (!res.accepted()) {
        LOG.info("{}: host key change refused ({}): {}", what, res.code(), res.reason());
      }
    } catch (DmClientException e) {
      LOG.warn("{}: could not report the changed host key: {}", what, e.getMessage());
    }
  }

  private boolean start(RepairItem item, long epoch, String what) {
    long id = item.repair().id();
    boolean unknown = false;
    for (int attempt = 1; attempt <= ATTEMPTS && !stopping.getAsBoolean(); attempt++) {
      try {
        CommandResult res = dm.send(new StartRepair(item.machine(), id, holder,
            "repair service " + holder + " acts"));
        if (res.accepted()) {
          return true;
        }
        if (unknown && startedByMe(item, epoch)) {
          return true;
        }
        LOG.info("{}: start refused ({}): {}", what, res.code(), res.reason());
        return false;
      } catch (DmClientException e) {
        // The outcome is unknown: if the DM has it Started by us, it was ours; else try again.
        unknown = true;
        if (startedByMe(item, epoch)) {
          return true;
        }
        LOG.warn("{}: start not confirmed (attempt {}): {}", what, attempt, e.getMessage());
        pause(attempt);
      }
    }
    return false;
  }

  private boolean startedByMe(RepairItem item, long epoch) {
    Repair now = current(item).orElse(null);
    return now != null && now.status() == Repair.Status.STARTED && holder.equals(now.holder())
        && now.epoch() == epoch;
  }

  private void finish(RepairItem item, ManagementShell.Outcome outcome, String what) {
    long id = item.repair().id();
    String detail = outcome.detail().length() > MAX_DETAIL
        ? outcome.detail().substring(0, MAX_DETAIL - 3) + "..." : outcome.detail();
    for (int attempt = 1; attempt <= ATTEMPTS && !crashed.getAsBoolean(); attempt++) {
      try {
        CommandResult res = dm.send(new FinishRepair(item.machine(), id, holder, outcome.succeeded(),
            detail, "repair service " + holder + " reports"));
        if (!res.accepted()) {
          LOG.info("{}: outcome refused ({}): {}", what, res.code(), res.reason());
        }
        return;
      } catch (DmClientException e) {
        Repair now = current(item).orElse(null);
        if (now != null && now.status() != Repair.Status.STARTED) {
          return;
        }
        LOG.warn("{}: outcome not confirmed (attempt {}): {}", what, attempt, e.getMessage());
        pause(attempt);
      }
    }
    LOG.warn("{}: gave up reporting the outcome; the DM fails the repair after its action timeout", what);
  }

  /** The machine's repair now if it is still this one. */
  private Optional<Repair> current(RepairItem item) {
    try {
      return dm.machine(item.machine()).map(Machine::repair)
          .filter(r -> r.id() == item.repair().id());
    } catch (DmClientException e) {
      return Optional.empty();
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(5000, 250L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
