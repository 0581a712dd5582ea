package org.autopilot.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.autopilot.provisioning.scan.Endpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvisioningConfigFileTest {
  @TempDir Path dir;

  @BeforeEach
  void secrets() throws IOException {
    Files.writeString(dir.resolve("dm-token"), "tok\n");
    Files.writeString(dir.resolve("machine-secret"), "ab".repeat(32) + "\n");
    Files.writeString(dir.resolve("agent.yaml.template"), "machineId: {machine}\ndmToken: \"{token}\"\n");
  }

  Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("provisioning.yaml"), yaml);
  }

  @Test
  void aFullFile() throws Exception {
    ProvisioningConfig c = ProvisioningConfigFile.load(write("""
        holder: prov-1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmTokenFile: dm-token
        sshUser: admin
        sshPrivateKey: operator_key
        sshConnectTimeout: 3s
        sshCommandTimeout: 2m
        leaseTtl: 9s
        parallelism: 4
        tick: 2s
        scan:
          every: 1m
          targets:
            - {cidr: 10.0.0.0/30, ports: [22, "2222-2223"]}
          concurrency: 8
          ratePerSecond: 20
          connectTimeout: 500ms
          machineIdCommand: cat /etc/machine-id
          factsCommand: /usr/local/bin/facts
        rules:
          git: {url: /srv/manifests.git, branch: prod}
          refresh: 10s
        imaging:
          sources: [http://10.0.0.2:7401]
          machineSecretFile: machine-secret
          agentTemplateFile: agent.yaml.template
          reimageCommand: pxe-reimage {machine} {image}
          attempts: 5
          bootTimeout: 15m
        burnIn:
          duration: 1h
          require: [heartbeat]
          ignore: [apps]
        """));
    assertThat(c.holder()).isEqualTo("prov-1");
    assertThat(c.dmToken()).isEqualTo("tok");
    assertThat(c.sshUser()).isEqualTo("admin");
    assertThat(c.sshPrivateKey()).isEqualTo(dir.resolve("operator_key"));
    assertThat(c.leaseTtl()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.scan().endpoints()).extracting(Endpoint::address).containsExactly("10.0.0.1:22",
        "10.0.0.1:2222", "10.0.0.1:2223", "10.0.0.2:22", "10.0.0.2:2222", "10.0.0.2:2223");
    assertThat(c.scan().machineIdCommand()).isEqualTo("cat /etc/machine-id");
    assertThat(c.rules().describe()).isEqualTo("machine-types.yaml in prod@/srv/manifests.git");
    assertThat(c.rulesRefresh()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.imaging().sources()).containsExactly(URI.create("http://10.0.0.2:7401"));
    assertThat(c.imaging().machineSecret()).isEqualTo("ab".repeat(32));
    assertThat(c.imaging().agentTemplate()).startsWith("machineId: {machine}");
    assertThat(c.imaging().reimageCommand()).isEqualTo("pxe-reimage {machine} {image}");
    assertThat(c.imaging().fetchCommand()).startsWith("curl ");
    assertThat(c.imaging().attempts()).isEqualTo(5);
    assertThat(c.imaging().bootTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.burnIn()).isEqualTo(new BurnInSettings(Duration.ofHours(1), List.of("heartbeat"), List.of("apps")));
    assertThat(c.parallelism()).isEqualTo(4);
  }

  @Test
  void theSmallestFileTakesTheDefaults() throws Exception {
    ProvisioningConfig c = ProvisioningConfigFile.load(write("""
        holder: prov-1
        dmUrls: [http://127.0.0.1:7101/api/v1]
        dmTokenFile: dm-token
        sshPrivateKey: operator_key
        scan: {targets: [{cidr: 127.0.0.1, ports: ["7301-7320"]}]}
        """));
    assertThat(c.scan().every()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.scan().endpoints()).hasSize(20);
    assertThat(c.imaging()).as("discovery only").isNull();
    assertThat(c.rules()).isNull();
    assertThat(c.burnIn()).isEqualTo(BurnInSettings.defaults());
    assertThat(c.sshUser()).isEqualTo("root");
  }

  @Test
  void mistakesAreRefusedNamingTheFileAndKey() throws Exception {
    String base = """
        holder: prov-1
        dmUrls: [http://127.0.0.1:7101/api/v1]
        dmTokenFile: dm-token
        sshPrivateKey: operator_key
        """;
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base + "scan: {targets: [], colour: red}\n")))
        .hasMessageContaining("provisioning.yaml").hasMessageContaining("colour");
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base + "scan: {every: soon}\n")))
        .hasMessageContaining("scan.every 'soon' is not a duration");
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base
        + "scan: {targets: [{cidr: 10.0.0.0/8, ports: [22]}]}\n")))
        .hasMessageContaining("expand to 16777214 endpoints, more than scan.maxEndpoints (65536)");
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base
        + "scan: {targets: []}\nimaging: {sources: [http://d:1], machineSecretFile: nope}\n")))
        .hasMessageContaining("imaging.machineSecretFile").hasMessageContaining("nope");
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base
        + "scan: {targets: []}\nrules: {file: a.yaml, git: {url: x}}\n")))
        .hasMessageContaining("exactly one of 'file' and 'git'");
    assertThatThrownBy(() -> ProvisioningConfigFile.load(write(base.replace("dmTokenFile: dm-token\n", "")
        + "scan: {targets: []}\n"))).hasMessageContaining("dmTokenFile is required");
  }
}
