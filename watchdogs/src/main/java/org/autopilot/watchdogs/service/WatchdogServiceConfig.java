package org.autopilot.watchdogs.service;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.autopilot.manifests.Durations;
import org.autopilot.tls.TlsSettings;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * One watchdog service replica's settings ({@code watchdog-service.yaml}, see
 * {@code docs/watchdog-service.md}).
 *
 * @param id replica name, unique among the replicas
 * @param host interface to listen on
 * @param port HTTP port (0: any free one)
 * @param advertise the base URL other replicas send machines to while this one leads, e.g.
 *     {@code http://10.0.0.5:7501}; null: {@code http://host:port}
 * @param dmUrls every DM replica's API URL ({@code http://h:p/api/v1})
 * @param dmToken this satellite's DM token (role satellite)
 * @param machineSecret the DM's machine secret (hex, at least 32 bytes), to check machine tokens
 * @param flushInterval how often changes are sent to the DM
 * @param leaseTtl the leadership lease's time to live; renewed every third of it
 * @param heartbeatSweep how often silent machines are looked for
 * @param fleetRefresh how often the DM's audit trail is read for machines registered, moved or
 *     placed and policies set (only those are re-read)
 * @param probeInterval pause between outside probe rounds; null: no probe
 * @param probeTimeout bound on each step (connect, key exchange, login) of one probe
 * @param probeConcurrency most probes at once
 * @param sshUser user name the probe logs in as
 * @param sshKey OpenSSH private key the probe logs in with; null: key exchange only (host key
 *     still verified)
 */
public record WatchdogServiceConfig(
    String id,
    String host,
    int port,
    String advertise,
    List<String> dmUrls,
    String dmToken,
    String machineSecret,
    Duration flushInterval,
    Duration leaseTtl,
    Duration heartbeatSweep,
    Duration fleetRefresh,
    Duration probeInterval,
    Duration probeTimeout,
    int probeConcurrency,
    String sshUser,
    Path sshKey,
    TlsSettings tls,
    Path caFile) {

  /** Checks what the service cannot run without. */
  public WatchdogServiceConfig {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("id '" + id + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    if (dmUrls == null || dmUrls.isEmpty()) {
      throw new IllegalArgumentException("dmUrls: at least one DM API URL is needed");
    }
    dmUrls = List.copyOf(dmUrls);
    if (dmToken == null || dmToken.isBlank()) {
      throw new IllegalArgumentException("dmToken is empty");
    }
    if (machineSecret == null || !machineSecret.matches("([0-9a-fA-F]{2}){32,}")) {
      throw new IllegalArgumentException("machineSecret must be at least 32 bytes of hex");
    }
    HexFormat.of().parseHex(machineSecret);
    if (port < 0 || port > 65535 || probeConcurrency < 1 || probeConcurrency > 1024) {
      throw new IllegalArgumentException("port must be 0..65535 and probeConcurrency 1..1024");
    }
    check(flushInterval, "flushInterval", Duration.ofMillis(10), Duration.ofMinutes(1));
    check(leaseTtl, "leaseTtl", Duration.ofSeconds(1), Duration.ofMinutes(10));
    check(heartbeatSweep, "heartbeatSweep", Duration.ofMillis(10), Duration.ofMinutes(1));
    check(fleetRefresh, "fleetRefresh", Duration.ofMillis(100), Duration.ofHours(1));
    if (probeInterval != null) {
      check(probeInterval, "probeInterval", Duration.ofMillis(100), Duration.ofHours(24));
    }
    check(probeTimeout, "probeTimeout", Duration.ofMillis(100), Duration.ofMinutes(5));
  }

  /** Defaults for everything but the identity, address and credentials. */
  public static WatchdogServiceConfig of(String id, String host, int port, List<String> dmUrls,
      String dmToken, String machineSecret) {
    return new WatchdogServiceConfig(id, host, port, null, dmUrls, dmToken, machineSecret,
        Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(30), Duration.ofSeconds(10), 16, "root", null, null, null);
  }

  /** The base URL machines are sent to while this replica leads. */
  public String advertisedUrl() {
    return advertise != null ? advertise : (tls == null ? "http" : "https") + "://" + host + ":" + port;
  }

  /** This config with other intervals (tests and benchmarks). */
  public WatchdogServiceConfig withTimes(Duration flush, Duration ttl, Duration sweep,
      Duration refresh, Duration probe) {
    return new WatchdogServiceConfig(id, host, port, advertise, dmUrls, dmToken, machineSecret,
        flush, ttl, sweep, refresh, probe, probeTimeout, probeConcurrency, sshUser, sshKey, tls, caFile);
  }

  /**
   * This config serving HTTPS with {@code tls} (null: plain HTTP) and trusting the CAs in
   * {@code caFile} for the DM (null: the JDK's).
   */
  public WatchdogServiceConfig withTls(TlsSettings tls, Path caFile) {
    return new WatchdogServiceConfig(id, host, port, advertise, dmUrls, dmToken, machineSecret,
        flushInterval, leaseTtl, heartbeatSweep, fleetRefresh, probeInterval, probeTimeout,
        probeConcurrency, sshUser, sshKey, tls, caFile);
  }

  /** This config with another probe login. */
  public WatchdogServiceConfig withProbeLogin(String user, Path key) {
    return new WatchdogServiceConfig(id, host, port, advertise, dmUrls, dmToken, machineSecret,
        flushInterval, leaseTtl, heartbeatSweep, fleetRefresh, probeInterval, probeTimeout,
        probeConcurrency, user, key, tls, caFile);
  }

  /**
   * The file form: durations as text, secrets in files (paths relative to the config file).
   *
   * @param id see the record
   * @param listen {@code host:port}
   * @param advertise see the record
   * @param dmUrls see the record
   * @param dmTokenFile file holding the DM token
   * @param machineSecretFile file holding the machine secret (hex)
   * @param flushInterval default {@code 100ms}
   * @param leaseTtl default {@code 10s}
   * @param heartbeatSweep default {@code 1s}
   * @param fleetRefresh default {@code 5s}
   * @param probeInterval default {@code 30s}; {@code off} disables the probe
   * @param probeTimeout default {@code 10s}
   * @param probeConcurrency default 16
   * @param sshUser default {@code root}
   * @param sshKey OpenSSH private key file; absent: key exchange only
   */
  public record File(String id, String listen, String advertise, List<String> dmUrls,
      String dmTokenFile, String machineSecretFile, String flushInterval, String leaseTtl,
      String heartbeatSweep, String fleetRefresh, String probeInterval, String probeTimeout,
      Integer probeConcurrency, String sshUser, String sshKey, TlsSettings tls, String caFile) {}

  /** Reads and checks a config file, naming the file and the key in any error. */
  public static WatchdogServiceConfig load(Path file) throws IOException {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setCodePointLimit(1 << 20);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    File f;
    try {
      f = yaml.readValue(Files.readAllBytes(file), File.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    try {
      if (f == null || f.id() == null || f.listen() == null || f.dmUrls() == null
          || f.dmTokenFile() == null || f.machineSecretFile() == null) {
        throw new IllegalArgumentException("id, listen, dmUrls, dmTokenFile and machineSecretFile are required");
      }
      Path base = file.toAbsolutePath().getParent();
      SshProber.HostPort listen = SshProber.HostPort.parse(f.listen());
      if (listen == null && !f.listen().matches(".*:0")) {
        throw new IllegalArgumentException("listen '" + f.listen() + "' is not host:port");
      }
      String host = f.listen().substring(0, f.listen().lastIndexOf(':'));
      int port = listen == null ? 0 : listen.port();
      String probe = f.probeInterval() == null ? "30s" : f.probeInterval().trim();
      return new WatchdogServiceConfig(f.id(), host, port, f.advertise(), f.dmUrls(),
          read(base, f.dmTokenFile(), "dmTokenFile"), read(base, f.machineSecretFile(), "machineSecretFile"),
          duration(f.flushInterval(), "100ms", "flushInterval"), duration(f.leaseTtl(), "10s", "leaseTtl"),
          duration(f.heartbeatSweep(), "1s", "heartbeatSweep"), duration(f.fleetRefresh(), "5s", "fleetRefresh"),
          probe.equals("off") ? null : duration(probe, "30s", "probeInterval"),
          duration(f.probeTimeout(), "10s", "probeTimeout"),
          f.probeConcurrency() == null ? 16 : f.probeConcurrency(),
          f.sshUser() == null ? "root" : f.sshUser(), f.sshKey() == null ? null : base.resolve(f.sshKey()),
          f.tls() == null ? null : f.tls().resolve(base).validate("tls"),
          f.caFile() == null ? null : base.resolve(f.caFile()));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path base, String name, String key) {
    try {
      return Files.readString(base.resolve(name)).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": cannot read " + base.resolve(name) + ": " + e.getMessage());
    }
  }

  private static Duration duration(String text, String dflt, String key) {
    return Durations.parse(text == null ? dflt : text, key);
  }

  private static void check(Duration d, String key, Duration min, Duration max) {
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(key + " " + (d == null ? "missing" : Durations.format(d))
          + " is outside " + Durations.format(min) + ".." + Durations.format(max));
    }
  }
}
