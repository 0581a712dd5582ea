package org.autopilot.devicemanager.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DmConfigTest {
  @TempDir Path dir;
  static final String TOKEN = "  - {name: alice, role: admin, sha256: " + "ab".repeat(32) + "}\n";

  Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("dm.yaml"), yaml);
  }

  @Test
  void aCompleteFileGivesTheRaftSettings() throws IOException {
    DmConfig c = DmConfig.load(write("""
        id: dm2
        dataDir: data/dm2
        peers:
          dm1: {raft: "127.0.0.1:7201", api: "http://127.0.0.1:7101"}
          dm2: {raft: "127.0.0.1:7202", api: "http://127.0.0.1:7102"}
          dm3: {raft: "127.0.0.1:7203", api: "http://127.0.0.1:7103"}
        raft: {electionTimeoutMin: 200ms, electionTimeoutMax: 1s, snapshotEvery: 500}
        tokens:
        """ + TOKEN));
    assertThat(c.settings().peers()).hasSize(3);
    assertThat(c.settings().electionTimeoutMax()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.settings().dataDir()).isEqualTo(dir.resolve("data/dm2"));
    assertThat(c.apiUri().getPort()).isEqualTo(7102);
    assertThat(c.batchMaxInFlight()).isEqualTo(1);
    assertThat(c.settings().minFreeBytes()).as("default reserve").isEqualTo(256L << 20);
  }

  @Test
  void theStorageReserveIsReadAndANegativeOneIsRefused() throws IOException {
    String base = "id: dm1\ndataDir: d\npeers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\"}\n"
        + "tokens:\n" + TOKEN;
    assertThat(DmConfig.load(write(base + "storage: {minFreeBytes: 1048576}\n")).settings().minFreeBytes())
        .isEqualTo(1L << 20);
    assertThat(DmConfig.load(write(base + "storage: {minFreeBytes: 0}\n")).settings().minFreeBytes()).isZero();
    assertThatThrownBy(() -> DmConfig.load(write(base + "storage: {minFreeBytes: -1}\n")))
        .isInstanceOf(IOException.class).hasMessageContaining("dm.yaml")
        .hasMessageContaining("storage.minFreeBytes");
    assertThatThrownBy(() -> DmConfig.load(write(base + "storage: {minFree: 5}\n")))
        .isInstanceOf(IOException.class).hasMessageContaining("minFree");
  }

  @Test
  void aReplicaBehindAProxyListensOnItsOwnAddressWhileItsPeersDialTheRaftOne() throws IOException {
    DmConfig c = DmConfig.load(write("""
        id: dm1
        dataDir: d
        peers:
          dm1: {raft: "127.0.0.1:7201", api: "http://127.0.0.1:7101", listen: "127.0.0.1:7301"}
          dm2: {raft: "127.0.0.1:7202", api: "http://127.0.0.1:7102"}
          dm3: {raft: "127.0.0.1:7203", api: "http://127.0.0.1:7103"}
        tokens:
        """ + TOKEN));
    assertThat(c.settings().listen()).isEqualTo("127.0.0.1:7301");
    assertThat(c.settings().peers()).containsEntry("dm1", "127.0.0.1:7201");
    assertThat(DmConfig.load(write("id: dm2\ndataDir: d\npeers:\n"
        + "  dm2: {raft: \"127.0.0.1:7202\", api: \"http://127.0.0.1:7102\"}\ntokens:\n" + TOKEN))
        .settings().listen()).as("absent: binds its raft address").isNull();
    assertThatThrownBy(() -> DmConfig.load(write("id: dm1\ndataDir: d\npeers:\n"
        + "  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\", listen: \"7301\"}\n"
        + "tokens:\n" + TOKEN))).hasMessageContaining("dm.yaml").hasMessageContaining("peers.dm1.listen");
  }

  @Test
  void mistakesAreNamedWithTheFileAndTheKey() throws IOException {
    String peers = "peers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\"}\n";
    assertThatThrownBy(() -> DmConfig.load(write("id: dm1\ndataDir: d\n" + peers + "tokens:\n" + TOKEN
        + "colour: blue\n"))).isInstanceOf(IOException.class).hasMessageContaining("dm.yaml")
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> DmConfig.load(write("id: dm9\ndataDir: d\n" + peers + "tokens:\n" + TOKEN)))
        .hasMessageContaining("peers must list this replica 'dm9'");
    assertThatThrownBy(() -> DmConfig.load(write("id: dm1\ndataDir: d\n" + peers + "tokens: []\n")))
        .hasMessageContaining("at least one API token");
    assertThatThrownBy(() -> DmConfig.load(write("id: dm1\ndataDir: d\n" + peers
        + "raft: {electionTimeoutMin: soon}\ntokens:\n" + TOKEN)))
        .hasMessageContaining("raft.electionTimeoutMin");
    assertThatThrownBy(() -> DmConfig.load(write("id: dm1\ndataDir: d\npeers:\n"
        + "  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\"}\n"
        + "  dm2: {raft: \"127.0.0.1:7202\", api: \"http://127.0.0.1:7102\"}\ntokens:\n" + TOKEN)))
        .hasMessageContaining("1, 3, 5 or 7");
  }

  @Test
  void aSatelliteTokenNamesTheOneServiceItSpeaksFor() throws IOException {
    String head = "id: dm1\ndataDir: d\npeers:\n  dm1: {raft: \"127.0.0.1:7201\", api: \"http://127.0.0.1:7101\"}\ntokens:\n";
    String hash = "cd".repeat(32);
    DmConfig c = DmConfig.load(write(head + TOKEN + "  - {name: repair-1, role: satellite, service: repair, sha256: "
        + hash + "}\n"));
    assertThat(c.tokens().get(1).principal().service())
        .isEqualTo(org.autopilot.devicemanager.api.SatelliteService.REPAIR);
    assertThatThrownBy(() -> DmConfig.load(write(head + "  - {name: repair-1, role: satellite, sha256: "
        + hash + "}\n"))).hasMessageContaining("dm.yaml").hasMessageContaining("repair-1")
        .hasMessageContaining("needs a service").hasMessageContaining("provisioning, repair, watchdog, deployment");
    assertThatThrownBy(() -> DmConfig.load(write(head + "  - {name: repair-1, role: satellite, service: fixing, sha256: "
        + hash + "}\n"))).hasMessageContaining("unknown satellite service 'fixing'");
    assertThatThrownBy(() -> DmConfig.load(write(head + "  - {name: bob, role: operator, service: repair, sha256: "
        + hash + "}\n"))).hasMessageContaining("bob has role OPERATOR and may not carry a satellite service");
  }

  @Test
  void aYamlAliasBombIsRefused() throws IOException {
    StringBuilder bomb = new StringBuilder("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append("]\n");
    }
    assertThatThrownBy(() -> DmConfig.load(write(bomb.toString())))
        .isInstanceOf(IOException.class).hasMessageContaining("dm.yaml");
  }
}
