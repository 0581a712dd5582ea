package org.autopilot.provisioning;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.autopilot.provisioning.scan.Endpoint;
import org.autopilot.provisioning.scan.ScanTarget;

/**
 * How discovery scans ({@code scan:} in the configuration).
 *
 * @param every pause between the starts of two sweeps
 * @param targets address blocks and ports to try
 * @param concurrency endpoints probed at once
 * @param ratePerSecond new connection attempts per second, at most
 * @param connectTimeout bound on one TCP connect attempt
 * @param maxEndpoints the most endpoints all targets together may expand to
 * @param machineIdCommand run over SSH; prints the machine's id
 * @param factsCommand run over SSH; prints JSON {@code {"cpus", "memoryBytes", "disks"}}
 */
public record ScanSettings(Duration every, List<ScanTarget> targets, int concurrency,
    double ratePerSecond, Duration connectTimeout, int maxEndpoints, String machineIdCommand,
    String factsCommand) {
  /** Validates; the targets must expand to at most {@code maxEndpoints}. */
  public ScanSettings {
    targets = targets == null ? List.of() : List.copyOf(targets);
    Checks.require(Checks.between(every, Duration.ofSeconds(1), Duration.ofDays(1)), "scan.every must be 1s..1d");
    Checks.require(concurrency >= 1 && concurrency <= 1024, "scan.concurrency must be 1..1024");
    Checks.require(ratePerSecond > 0 && ratePerSecond <= 100_000, "scan.ratePerSecond must be above 0, at most 100000");
    Checks.require(Checks.between(connectTimeout, Duration.ofMillis(50), Duration.ofMinutes(1)),
        "scan.connectTimeout must be 50ms..1m");
    Checks.require(maxEndpoints >= 1 && maxEndpoints <= 1 << 24, "scan.maxEndpoints must be 1..16777216");
    Checks.require(machineIdCommand != null && !machineIdCommand.isBlank(), "scan.machineIdCommand must not be empty");
    Checks.require(factsCommand != null && !factsCommand.isBlank(), "scan.factsCommand must not be empty");
    BigInteger total = BigInteger.ZERO;
    for (ScanTarget t : targets) {
      total = total.add(t.count());
    }
    Checks.require(total.compareTo(BigInteger.valueOf(maxEndpoints)) <= 0, "scan.targets expand to "
        + total + " endpoints, more than scan.maxEndpoints (" + maxEndpoints + ")");
  }

  /** Every 30 s, nothing to scan, 16 at once, 50 per second, 2 s connect, the simulated fleet's commands. */
  public static ScanSettings defaults(List<ScanTarget> targets) {
    return new ScanSettings(Duration.ofSeconds(30), targets, 16, 50, Duration.ofSeconds(2), 65_536,
        "machine-id", "facts");
  }

  /** A copy with another period. */
  public ScanSettings withEvery(Duration d) {
    return new ScanSettings(d, targets, concurrency, ratePerSecond, connectTimeout, maxEndpoints,
        machineIdCommand, factsCommand);
  }

  /** A copy with other targets. */
  public ScanSettings withTargets(List<ScanTarget> t) {
    return new ScanSettings(every, t, concurrency, ratePerSecond, connectTimeout, maxEndpoints,
        machineIdCommand, factsCommand);
  }

  /** Every endpoint of every target, in configuration order, duplicates dropped. */
  public List<Endpoint> endpoints() {
    java.util.LinkedHashSet<Endpoint> all = new java.util.LinkedHashSet<>();
    for (ScanTarget t : targets) {
      all.addAll(t.endpoints());
    }
    return new ArrayList<>(all);
  }
}
