package org.autopilot.provisioning;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.autopilot.manifests.Durations;
import org.autopilot.provisioning.rules.RulesSource;
import org.autopilot.provisioning.scan.ScanTarget;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads {@code provisioning.yaml} strictly into a {@link ProvisioningConfig}: unknown keys, bad
 * values and unreadable files are refused naming the file and the key; relative paths resolve
 * against the file's directory. Keys and defaults: {@code docs/provisioning.md}.
 */
public final class ProvisioningConfigFile {
  private ProvisioningConfigFile() {}

  /** Reads {@code file}. */
  public static ProvisioningConfig load(Path file) throws IOException {
    LoaderOptions limits = new LoaderOptions();
    limits.setMaxAliasesForCollections(0);
    limits.setAllowDuplicateKeys(false);
    limits.setCodePointLimit(1 << 20);
    ObjectMapper yaml = YAMLMapper.builder(YAMLFactory.builder().loaderOptions(limits).build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    Top f;
    try {
      f = yaml.readValue(Files.readAllBytes(file), Top.class);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    if (f == null) {
      throw new IOException(file + ": empty configuration");
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      return build(f, base);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static ProvisioningConfig build(Top f, Path base) {
    Checks.require(f.dmTokenFile() != null, "dmTokenFile is required");
    Checks.require(f.sshPrivateKey() != null, "sshPrivateKey is required");
    Checks.require(f.scan() != null, "scan is required (targets to discover machines in)");
    ScanSettings sd = ScanSettings.defaults(List.of());
    Scan s = f.scan();
    ScanSettings scan = new ScanSettings(dur(s.every(), "scan.every", sd.every()),
        s.targets() == null ? List.of() : s.targets().stream()
            .map(t -> new ScanTarget(t.cidr(), t.ports())).toList(),
        s.concurrency() == null ? sd.concurrency() : s.concurrency(),
        s.ratePerSecond() == null ? sd.ratePerSecond() : s.ratePerSecond(),
        dur(s.connectTimeout(), "scan.connectTimeout", sd.connectTimeout()),
        s.maxEndpoints() == null ? sd.maxEndpoints() : s.maxEndpoints(),
        s.machineIdCommand() == null ? sd.machineIdCommand() : s.machineIdCommand(),
        s.factsCommand() == null ? sd.factsCommand() : s.factsCommand());
    ProvisioningConfig d = ProvisioningConfig.of(f.holder(), f.dmUrls(),
        read(base.resolve(f.dmTokenFile()), "dmTokenFile"), base.resolve(f.sshPrivateKey()), scan);
    Path dataDir = base.resolve(f.dataDir() == null ? "provisioning-data" : f.dataDir());
    RulesSource rules = null;
    Duration refresh = d.rulesRefresh();
    if (f.rules() != null) {
      Rules r = f.rules();
      Checks.require(r.file() == null ^ r.git() == null, "rules needs exactly one of 'file' and 'git'");
      if (r.file() != null) {
        rules = RulesSource.file(base.resolve(r.file()));
      } else {
        Git g = r.git();
        Checks.require(g.url() != null, "rules.git.url is required");
        rules = RulesSource.git(g.url(), g.branch() == null ? "main" : g.branch(),
            g.path() == null ? "machine-types.yaml" : g.path(), dataDir.resolve("rules-mirror"));
      }
      refresh = dur(r.refresh(), "rules.refresh", refresh);
    }
    ImagingSettings imaging = f.imaging() == null ? null : imaging(f.imaging(), base);
    BurnInSettings bd = BurnInSettings.defaults();
    BurnIn b = f.burnIn();
    BurnInSettings burnIn = b == null ? bd : new BurnInSettings(dur(b.duration(), "burnIn.duration", bd.duration()),
        b.require() == null ? bd.require() : b.require(), b.ignore() == null ? bd.ignore() : b.ignore());
    return new ProvisioningConfig(d.holder(), d.dmUrls(), d.dmToken(),
        f.sshUser() == null ? d.sshUser() : f.sshUser(), d.sshPrivateKey(),
        dur(f.sshConnectTimeout(), "sshConnectTimeout", d.sshConnectTimeout()),
        dur(f.sshCommandTimeout(), "sshCommandTimeout", d.sshCommandTimeout()),
        dur(f.leaseTtl(), "leaseTtl", d.leaseTtl()), scan, rules, refresh, imaging, burnIn,
        f.parallelism() == null ? d.parallelism() : f.parallelism(), dur(f.tick(), "tick", d.tick()),
        f.caFile() == null ? null : base.resolve(f.caFile()));
  }

  private static ImagingSettings imaging(Imaging i, Path base) {
    Checks.require(i.sources() != null && !i.sources().isEmpty(), "imaging.sources is required");
    Checks.require(i.machineSecretFile() != null, "imaging.machineSecretFile is required");
    List<URI> sources = i.sources().stream().map(URI::create).toList();
    ImagingSettings d = ImagingSettings.defaults(sources,
        read(base.resolve(i.machineSecretFile()), "imaging.machineSecretFile"));
    String template = i.agentTemplateFile() == null ? d.agentTemplate()
        : read(base.resolve(i.agentTemplateFile()), "imaging.agentTemplateFile") + "\n";
    return new ImagingSettings(sources, d.machineSecret(), template, or(i.reimageCommand(), d.reimageCommand()),
        or(i.markerFile(), d.markerFile()), or(i.fetchCommand(), d.fetchCommand()),
        or(i.stagingFile(), d.stagingFile()), or(i.unpackCommand(), d.unpackCommand()),
        or(i.unpackDir(), d.unpackDir()), or(i.installedFile(), d.installedFile()),
        or(i.agentConfigFile(), d.agentConfigFile()), or(i.restartCommand(), d.restartCommand()),
        i.attempts() == null ? d.attempts() : i.attempts(),
        dur(i.bootTimeout(), "imaging.bootTimeout", d.bootTimeout()),
        dur(i.agentTimeout(), "imaging.agentTimeout", d.agentTimeout()),
        dur(i.retryAfter(), "imaging.retryAfter", d.retryAfter()));
  }

  private static String read(Path p, String key) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(key + " " + p + " cannot be read: " + e);
    }
  }

  private static String or(String v, String d) {
    return v == null ? d : v;
  }

  private static Duration dur(String text, String key, Duration dflt) {
    return text == null ? dflt : Durations.parse(text, key);
  }

  private record Top(String holder, List<String> dmUrls, String dmTokenFile, String sshUser,
      String sshPrivateKey, String sshConnectTimeout, String sshCommandTimeout, String leaseTtl,
      Integer parallelism, String tick, String dataDir, Scan scan, Rules rules, Imaging imaging,
      BurnIn burnIn, String caFile) {}

  private record Scan(String every, List<Target> targets, Integer concurrency, Double ratePerSecond,
      String connectTimeout, Integer maxEndpoints, String machineIdCommand, String factsCommand) {}

  private record Target(String cidr, List<String> ports) {}

  private record Rules(String file, Git git, String refresh) {}

  private record Git(String url, String branch, String path) {}

  private record Imaging(List<String> sources, String machineSecretFile, String agentTemplateFile,
      String reimageCommand, String markerFile, String fetchCommand, String stagingFile,
      String unpackCommand, String unpackDir, String installedFile, String agentConfigFile,
      String restartCommand, Integer attempts, String bootTimeout, String agentTimeout,
      String retryAfter) {}

  private record BurnIn(String duration, List<String> require, List<String> ignore) {}
}
