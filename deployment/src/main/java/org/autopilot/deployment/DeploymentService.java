package org.autopilot.deployment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.LeaseKeeper;
import org.autopilot.manifests.Durations;
import org.autopilot.tls.ServerIdentity;
import org.autopilot.tls.TlsSettings;
import org.autopilot.tls.TrustBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * One deployment service instance as a process ({@code autopilot deployment --config
 * deployment.yaml}): a deployment server replica, and, when configured, the git ingest (behind
 * the {@code deployment-ingest} lease, so only one instance ingests) and the rollout driver
 * (behind its own lease). See {@code docs/deployment.md}.
 */
public final class DeploymentService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentService.class);
  private final DeploymentServer server;
  private final RolloutDriver driver;
  private final Thread ingest;
  private volatile boolean running = true;

  /**
   * The file form.
   *
   * @param id replica name
   * @param dataDir content store and git mirror
   * @param port HTTP port on 127.0.0.1
   * @param peers the other replicas' base URLs
   * @param uplinkBytesPerSecond uplink cap, 0 = none
   * @param maxTransfers concurrent transfers served
   * @param uploadTokenSha256 hex SHA-256 of the upload token
   * @param uploadTokenFile the plain upload token (for this instance's own ingest), relative to the file
   * @param dmUrls DM API URLs
   * @param dmTokenFile this satellite's DM token, relative to the file
   * @param git the manifest source, or null for a plain replica
   * @param driveRollouts true to run the rollout driver here too
   * @param tls this replica's certificate and key, relative to the file; absent = plain HTTP
   * @param caFile PEM bundle of the CAs trusted for {@code https://} peers and DM URLs, relative
   *     to the file; absent = the JDK's CAs
   */
  public record Config(String id, String dataDir, Integer port, List<String> peers,
      Long uplinkBytesPerSecond, Integer maxTransfers, String uploadTokenSha256,
      String uploadTokenFile, List<String> dmUrls, String dmTokenFile, Git git,
      Boolean driveRollouts, TlsSettings tls, String caFile) {}

  /**
   * A git manifest source.
   *
   * @param url repository path or URL
   * @param branch branch, default {@code main}
   * @param prefix directory of the manifests, default {@code manifests}
   * @param pollInterval how often to fetch, default {@code 10s}
   */
  public record Git(String url, String branch, String prefix, String pollInterval) {}

  /** Starts everything {@code file} configures. */
  public static DeploymentService start(Path file) throws IOException {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    Config c;
    try {
      c = yaml.readValue(Files.readAllBytes(file), Config.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (c == null || c.id() == null || c.dataDir() == null || c.port() == null) {
      throw new IOException(file + ": id, dataDir and port are required");
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      return new DeploymentService(c, base);
    } catch (IllegalArgumentException | org.autopilot.tls.TlsConfigException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private DeploymentService(Config c, Path base) throws IOException {
    Path data = base.resolve(c.dataDir());
    List<URI> peers = c.peers() == null ? List.of() : c.peers().stream().map(URI::create).toList();
    ServerIdentity identity = c.tls() == null ? null
        : ServerIdentity.load(c.tls().resolve(base), "tls", InstantSource.system());
    TrustBundle trust = TrustBundle.loadIfGiven(c.caFile() == null ? null : base.resolve(c.caFile()), "caFile");
    server = new DeploymentServer(new DeploymentConfig(c.id(), data.resolve("store"), c.port(), peers,
        c.uplinkBytesPerSecond() == null ? 0 : c.uplinkBytesPerSecond(),
        c.maxTransfers() == null ? 16 : c.maxTransfers(), 16L << 30, c.uploadTokenSha256(),
        Duration.ofSeconds(30)), new SecureRandom(), identity, trust).start();
    boolean needsDm = c.git() != null || Boolean.TRUE.equals(c.driveRollouts());
    if (needsDm && (c.dmUrls() == null || c.dmTokenFile() == null)) {
      throw new IllegalArgumentException("git and driveRollouts need dmUrls and dmTokenFile");
    }
    DmClient dm = needsDm ? new DmClient(c.dmUrls(),
        Files.readString(base.resolve(c.dmTokenFile())).trim(), trust) : null;
    driver = Boolean.TRUE.equals(c.driveRollouts())
        ? new RolloutDriver(dm, c.id(), Duration.ofSeconds(1), InstantSource.system()) : null;
    if (c.git() != null) {
      if (c.uploadTokenFile() == null) {
        throw new IllegalArgumentException("git needs uploadTokenFile (the plain upload token)");
      }
      List<URI> all = new java.util.ArrayList<>(peers);
      all.add(0, server.uri());
      GitIngest gi = new GitIngest(c.git().url(), c.git().branch() == null ? "main" : c.git().branch(),
          c.git().prefix() == null ? "manifests" : c.git().prefix(), data.resolve("git-mirror"),
          new DeploymentClient(all, Files.readString(base.resolve(c.uploadTokenFile())).trim(),
              new SecureRandom(), trust), dm);
      Duration every = Durations.parse(c.git().pollInterval() == null ? "10s" : c.git().pollInterval(),
          "git.pollInterval");
      LeaseKeeper lease = new LeaseKeeper(dm, "deployment-ingest", c.id(),
          every.multipliedBy(3).plusSeconds(10), InstantSource.system());
      ingest = new Thread(() -> pollLoop(gi, lease, every), "deployment-ingest");
      ingest.setDaemon(true);
      ingest.start();
    } else {
      ingest = null;
    }
  }

  private void pollLoop(GitIngest gi, LeaseKeeper lease, Duration every) {
    while (running) {
      try {
        if (lease.tryHold()) {
          GitIngest.Outcome o = gi.pollOnce();
          if (!o.accepted().isEmpty() || !o.rejected().isEmpty()) {
            LOG.info("{}: accepted {}, rejected {}", gi.source(), o.accepted(), o.rejected());
          }
        }
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        LOG.warn("{}: {}", gi.source(), e.toString());
        try {
          Thread.sleep(every.toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** The replica's base URL. */
  public URI uri() {
    return server.uri();
  }

  @Override
  public void close() {
    running = false;
    if (ingest != null) {
      ingest.interrupt();
    }
    if (driver != null) {
      driver.close();
    }
    server.close();
  }
}
