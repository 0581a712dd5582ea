package org.autopilot.repair;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.autopilot.manifests.Durations;
import org.autopilot.repair.plan.CommandMap;
import org.quartz.CronExpression;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * How one repair service replica runs ({@code autopilot repair serve --config repair.yaml}; keys
 * in {@code docs/repair.md}).
 *
 * @param holder this replica's name in the {@code repair} lease; unique per replica
 * @param dmUrls the DM replicas' API URLs ({@code http://host:port/api/v1})
 * @param dmToken a satellite (or stronger) DM token
 * @param sshUser the login name on machines
 * @param sshPrivateKey the private key file to log in with
 * @param sshConnectTimeout bound on connecting, key exchange and login, each
 * @param sshCommandTimeout bound on one repair command
 * @param commands the command line per machine type and action
 * @param runCron Quartz cron (seconds first) of the periodic look at the queue
 * @param leaseTtl time-to-live of the repair lease; renewed every third of it
 * @param parallelism how many repairs this replica runs at once
 * @param shutdownGrace how long a stop waits for running commands before cutting them off
 * @param caFile PEM bundle of the CAs trusted for {@code https://} DM URLs; null: the JDK's CAs
 */
public record RepairConfig(String holder, List<String> dmUrls, String dmToken, String sshUser,
    Path sshPrivateKey, Duration sshConnectTimeout, Duration sshCommandTimeout, CommandMap commands,
    String runCron, Duration leaseTtl, int parallelism, Duration shutdownGrace, Path caFile) {
  private static final Pattern HOLDER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

  /** A configuration without {@code caFile}. */
  public RepairConfig(String holder, List<String> dmUrls, String dmToken, String sshUser,
      Path sshPrivateKey, Duration sshConnectTimeout, Duration sshCommandTimeout, CommandMap commands,
      String runCron, Duration leaseTtl, int parallelism, Duration shutdownGrace) {
    this(holder, dmUrls, dmToken, sshUser, sshPrivateKey, sshConnectTimeout, sshCommandTimeout, commands,
        runCron, leaseTtl, parallelism, shutdownGrace, null);
  }

  /** Validates. */
  public RepairConfig {
    require(holder != null && HOLDER.matcher(holder).matches(),
        "holder '" + holder + "' must match " + HOLDER.pattern());
    require(dmUrls != null && !dmUrls.isEmpty(), "dmUrls must list at least one DM API URL");
    dmUrls = List.copyOf(dmUrls);
    require(dmToken != null && !dmToken.isBlank(), "a DM token is required (dmTokenFile)");
    require(sshUser != null && !sshUser.isBlank(), "sshUser must not be empty");
    require(sshPrivateKey != null, "sshPrivateKey is required");
    require(between(sshConnectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5)),
        "sshConnectTimeout must be 100ms..5m");
    require(between(sshCommandTimeout, Duration.ofSeconds(1), Duration.ofDays(1)),
        "sshCommandTimeout must be 1s..1d");
    require(commands != null, "commands is missing");
    require(runCron != null && CronExpression.isValidExpression(runCron),
        "runCron '" + runCron + "' is not a Quartz cron expression (seconds first, e.g. '0/10 * * * * ?')");
    require(between(leaseTtl, Duration.ofSeconds(1), Duration.ofMinutes(10)), "leaseTtl must be 1s..10m");
    require(parallelism >= 1 && parallelism <= 256, "parallelism must be 1..256");
    require(between(shutdownGrace, Duration.ZERO, Duration.ofHours(1)), "shutdownGrace must be 0s..1h");
  }

  /** Defaults for everything but who and where: root, 10 s, 5 m, built-in commands, every 10 s. */
  public static RepairConfig of(String holder, List<String> dmUrls, String dmToken, Path sshPrivateKey) {
    return new RepairConfig(holder, dmUrls, dmToken, "root", sshPrivateKey, Duration.ofSeconds(10),
        Duration.ofMinutes(5), CommandMap.builtIn(), "0/10 * * * * ?", Duration.ofSeconds(15), 4,
        Duration.ofSeconds(30));
  }

  /** Reads a YAML file; unknown keys, bad values and missing files are errors naming the key. */
  public static RepairConfig load(Path file) throws IOException {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setCodePointLimit(1 << 20);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    File f;
    try {
      f = yaml.readValue(Files.readAllBytes(file), File.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (f == null) {
      throw new IOException(file + ": empty configuration");
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      if (f.dmTokenFile() == null) {
        throw new IllegalArgumentException("dmTokenFile is required");
      }
      if (f.sshPrivateKey() == null) {
        throw new IllegalArgumentException("sshPrivateKey is required");
      }
      Path tokenFile = base.resolve(f.dmTokenFile());
      String token;
      try {
        token = Files.readString(tokenFile).trim();
      } catch (IOException e) {
        throw new IllegalArgumentException("dmTokenFile " + tokenFile + " cannot be read: " + e);
      }
      RepairConfig d = of(f.holder(), f.dmUrls(), token, base.resolve(f.sshPrivateKey()));
      return new RepairConfig(d.holder(), d.dmUrls(), d.dmToken(),
          f.sshUser() == null ? d.sshUser() : f.sshUser(), d.sshPrivateKey(),
          dur(f.sshConnectTimeout(), "sshConnectTimeout", d.sshConnectTimeout()),
          dur(f.sshCommandTimeout(), "sshCommandTimeout", d.sshCommandTimeout()),
          CommandMap.of(f.commands()), f.runCron() == null ? d.runCron() : f.runCron(),
          dur(f.leaseTtl(), "leaseTtl", d.leaseTtl()),
          f.parallelism() == null ? d.parallelism() : f.parallelism(),
          dur(f.shutdownGrace(), "shutdownGrace", d.shutdownGrace()),
          f.caFile() == null ? null : base.resolve(f.caFile()));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** A copy with other commands. */
  public RepairConfig withCommands(CommandMap c) {
    return new RepairConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey, sshConnectTimeout,
        sshCommandTimeout, c, runCron, leaseTtl, parallelism, shutdownGrace, caFile);
  }

  /** A copy with another schedule, lease time-to-live and parallelism. */
  public RepairConfig withTiming(String cron, Duration ttl, int parallel, Duration grace) {
    return new RepairConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey, sshConnectTimeout,
        sshCommandTimeout, commands, cron, ttl, parallel, grace, caFile);
  }

  /** A copy with other SSH bounds. */
  public RepairConfig withSshTimeouts(Duration connect, Duration command) {
    return new RepairConfig(holder, dmUrls, dmToken, sshUser, sshPrivateKey, connect, command,
        commands, runCron, leaseTtl, parallelism, shutdownGrace, caFile);
  }

  private static Duration dur(String text, String key, Duration dflt) {
    return text == null ? dflt : Durations.parse(text, key);
  }

  private static boolean between(Duration d, Duration min, Duration max) {
    return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The file form. */
  private record File(String holder, List<String> dmUrls, String dmTokenFile, String sshUser,
      String sshPrivateKey, String sshConnectTimeout, String sshCommandTimeout,
      Map<String, Map<String, String>> commands, String runCron, String leaseTtl,
      Integer parallelism, String shutdownGrace, String caFile) {}
}
