package org.autopilot.provisioning.imaging;

import java.util.ArrayList;
import java.util.List;
import org.autopilot.devicemanager.model.ProvisioningStep;

/**
 * The provisioning steps a machine's record holds, read as rounds: a round starts at a
 * {@value #BEGIN} step; the steps after the last one are the current round. Step names are the
 * constants here.
 *
 * @param all every step recorded, oldest first
 */
public record Round(List<ProvisioningStep> all) {
  /** A round starts (the machine is about to move New → Provisioning). */
  public static final String BEGIN = "begin";
  /** The reimage command is about to be sent. */
  public static final String REIMAGE = "reimage";
  /** The archive was fetched, verified and unpacked. */
  public static final String INSTALLED = "installed";
  /** The agent's configuration was written. */
  public static final String CONFIGURED = "configured";
  /** The restart command is about to be sent. */
  public static final String RESTART = "restart";
  /** An attempt failed; the detail says why. */
  public static final String ATTEMPT_FAILED = "attempt-failed";
  /** The round failed (the machine goes back to New); the detail says why. */
  public static final String FAILED = "failed";
  /** The agent reported after the restart: imaging is done, burn-in starts. */
  public static final String AGENT_UP = "agent-up";
  /** Burn-in passed (the machine goes to Healthy). */
  public static final String BURNED_IN = "burned-in";
  /** Burn-in failed (the machine goes to Failure); the detail says why. */
  public static final String BURN_IN_FAILED = "burn-in-failed";
  /** The machine was given its type's released manifest. */
  public static final String SOFTWARE = "software";

  /** Copies. */
  public Round {
    all = List.copyOf(all);
  }

  /** The steps of the current round (after the last {@value #BEGIN}, which is included). */
  public List<ProvisioningStep> current() {
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).step().equals(BEGIN)) {
        return all.subList(i, all.size());
      }
    }
    return List.of();
  }

  /** The last step of the current round named {@code step}, or null. */
  public ProvisioningStep last(String step) {
    List<ProvisioningStep> c = current();
    for (int i = c.size() - 1; i >= 0; i--) {
      if (c.get(i).step().equals(step)) {
        return c.get(i);
      }
    }
    return null;
  }

  /** How many steps of the current round are named {@code step}. */
  public int count(String step) {
    return (int) current().stream().filter(s -> s.step().equals(step)).count();
  }

  /** The latest step of all, or null. */
  public ProvisioningStep latest() {
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** The latest of the current round's steps named in {@code steps}, or null. */
  public ProvisioningStep latestOf(String... steps) {
    List<ProvisioningStep> c = current();
    for (int i = c.size() - 1; i >= 0; i--) {
      for (String s : steps) {
        if (c.get(i).step().equals(s)) {
          return c.get(i);
        }
      }
    }
    return null;
  }

  /** How many rounds failed in a row, counting back from the latest. */
  public int failedRounds() {
    List<String> ends = new ArrayList<>();
    for (ProvisioningStep s : all) {
      if (s.step().equals(FAILED) || s.step().equals(AGENT_UP)) {
        ends.add(s.step());
      }
    }
    int n = 0;
    for (int i = ends.size() - 1; i >= 0 && ends.get(i).equals(FAILED); i--) {
      n++;
    }
    return n;
  }
}
