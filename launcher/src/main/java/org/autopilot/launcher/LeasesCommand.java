package org.autopilot.launcher;

import java.util.concurrent.Callable;
import org.autopilot.devicemanager.model.Lease;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code autopilot leases}: which satellite replica leads each service. */
@Command(name = "leases", mixinStandardHelpOptions = true, description = "Lists satellite leases (service leadership).")
final class LeasesCommand implements Callable<Integer> {
  @Mixin DmOptions dm;

  @Override
  public Integer call() throws Exception {
    System.out.printf("%-16s %-24s %6s %-26s%n", "SERVICE", "HOLDER", "EPOCH", "EXPIRES");
    for (Lease l : dm.client().leases()) {
      System.out.printf("%-16s %-24s %6d %-26s%n", l.service(), l.holder(), l.epoch(), l.expiresAt());
    }
    return 0;
  }
}
