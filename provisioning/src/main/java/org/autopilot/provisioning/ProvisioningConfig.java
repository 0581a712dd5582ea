package org.autopilot.provisioning;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How one provisioning replica runs ({@code autopilot provisioning serve --config FILE}; keys in
 * {@code docs/provisioning.md}).
 *
 * @param holder this replica's name in the {@code provisioning} lease; unique per replica
 * @param dmUrls the DM replicas' API URLs ({@code http://host:port/api/v1})
 * @param dmToken a satellite (or stronger) DM token
 * @param sshUser the login name on machines
 * @param sshPrivateKey the private key file to log in with
 * @param sshConnectTimeout bound on connecting, key exchange and login, each
 * @param sshCommandTimeout bound on one command run on a machine
 * @param leaseTtl time-to-live of the lease; renewed every third of it
 * @param scan what and how discovery scans
 * @param rules where the machine-type rules are read from, or null for none (machines stay
 *     untyped until an operator places them)
 * @param rulesRefresh how often the rules are re-read
 * @param imaging how machines are installed, or null: discovery only, nothing is installed
 * @param burnIn how installed machines are judged
 * @param parallelism machines worked on at once
 * @param tick the longest pause between two looks at the machines being provisioned (a change
 *     in the DM wakes the leader earlier)
 * @param caFile PEM bundle of the CAs trusted for {@code https://} DM URLs; null: the JDK's CAs
 */
public record ProvisioningConfig(String holder, List<String> dmUrls, String dmToken, String sshUser,
    Path sshPrivateKey, Duration sshConnectTimeout, Duration sshCommandTimeout, Duration leaseTtl,
    ScanSettings scan, org.autopilot.provisioning.rules.RulesSource rules, Duration rulesRefresh,
    ImagingSettings imaging, BurnInSettings burnIn, int parallelism, Duration tick, Path caFile) {
  private static final Pattern HOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

  /** A configuration without {@code caFile}. */
  public ProvisioningConfig(String holder, List<String> dmUrls, String dmToken, String sshUser,
      Path sshPrivateKey, Duration sshConnectTimeout, Duration sshCommandTimeout, Duration leaseTtl,
      ScanSettings scan, org.autopilot.provisioning.rules.RulesSource rules, Duration rulesRefresh,
      ImagingSettings imaging, BurnInSettings burnIn, int parallelism, Duration tick) {
    this(holder, dmUrls, dmToken, sshUser, sshPrivateKey, sshConnectTimeout, sshCommandTimeout, leaseTtl,
        scan, rules, rulesRefresh, imaging, burnIn, parallelism, tick, null);
  }

  /** Validates. */
  public ProvisioningConfig {
    Checks.require(holder != null && HOLDER.matcher(holder).matches(),
        "holder '" + holder + "' must match " + HOLDER.pattern());
    Checks.require(dmUrls != null && !dmUrls.isEmpty(), "dmUrls must list at least one DM API URL");
    dmUrls = List.copyOf(dmUrls);
    Checks.require(dmToken != null && !dmToken.isBlank(), "a DM token is required (dmTokenFile)");
    Checks.require(sshUser != null && !sshUser.isBlank(), "sshUser must not be empty");
    Checks.require(sshPrivateKey != null, "sshPrivateKey is required");
    Checks.require(Checks.between(sshConnectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5)),
        "sshConnectTimeout must be 100ms..5m");
    Checks.require(Checks.between(sshCommandTimeout, Duration.ofSeconds(1), Duration.ofHours(1)),
        "sshCommandTimeout must be 1s..1h");
    Checks.require(Checks.between(leaseTtl, Duration.ofSeconds(1), Duration.ofMinutes(10)),
        "leaseTtl must be 1s..10m");
    Checks.require(scan != null, "scan is missing");
    Checks.require(Checks.between(rulesRefresh, Duration.ofMillis(100), Duration.ofDays(1)),
        "rules.refresh must be 100ms..1d");
    Checks.require(burnIn != null, "burnIn is missing");
    Checks.require(parallelism >= 1 && parallelism <= 256, "parallelism must be 1..256");
    Checks.require(Checks.between(tick, Duration.ofMillis(50), Duration.ofMinutes(10)), "tick must be 50ms..10m");
  }

  /** Defaults for everything but who and where: root, 10 s connect, 5 m commands, 15 s lease. */
  public static ProvisioningConfig of(String holder, List<String> dmUrls, String dmToken,
      Path sshPrivateKey, ScanSettings scan) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, "root", sshPrivateKey,
        Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(15), scan, null,
        Duration.ofSeconds(30), null, BurnInSettings.defaults(), 8, Duration.ofSeconds(5));
  }

  /** A copy with another lease time-to-live. */
  public ProvisioningConfig withLeaseTtl(Duration ttl) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey,
        sshConnectTimeout, sshCommandTimeout, ttl, scan, rules, rulesRefresh, imaging, burnIn, parallelism, tick, caFile);
  }

  /** A copy with other SSH bounds. */
  public ProvisioningConfig withSshTimeouts(Duration connect, Duration command) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey, connect,
        command, leaseTtl, scan, rules, rulesRefresh, imaging, burnIn, parallelism, tick, caFile);
  }

  /** A copy with other scan settings. */
  public ProvisioningConfig withScan(ScanSettings s) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey,
        sshConnectTimeout, sshCommandTimeout, leaseTtl, s, rules, rulesRefresh, imaging, burnIn, parallelism, tick, caFile);
  }

  /** A copy reading the machine-type rules from {@code source} every {@code refresh}. */
  public ProvisioningConfig withRules(org.autopilot.provisioning.rules.RulesSource source, Duration refresh) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey,
        sshConnectTimeout, sshCommandTimeout, leaseTtl, scan, source, refresh, imaging, burnIn, parallelism, tick, caFile);
  }

  /** A copy installing machines as {@code i} says and burning them in as {@code b} says. */
  public ProvisioningConfig withImaging(ImagingSettings i, BurnInSettings b) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey,
        sshConnectTimeout, sshCommandTimeout, leaseTtl, scan, rules, rulesRefresh, i, b, parallelism, tick, caFile);
  }

  /** A copy working on {@code n} machines at once, looking at least every {@code t}. */
  public ProvisioningConfig withPace(int n, Duration t) {
    return new ProvisioningConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey,
        sshConnectTimeout, sshCommandTimeout, leaseTtl, scan, rules, rulesRefresh, imaging, burnIn, n, t, caFile);
  }
}
