package org.autopilot.collection.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.autopilot.devicemanager.api.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionServiceConfigTest {
  @TempDir Path dir;
  static final String SECRET = "ab".repeat(32);
  static final String HASH = "cd".repeat(32);

  @Test
  void readsAFileWithDefaultsRelativePathsAndSecretsInFiles() throws Exception {
    Files.writeString(dir.resolve("machine-secret"), SECRET + "\n");
    Files.writeString(dir.resolve("db.password"), "pw\n");
    Path f = Files.writeString(dir.resolve("collection.yaml"), """
        id: c1
        listen: 0.0.0.0:7602
        machineSecretFile: machine-secret
        tokens:
          - {name: cockpit, role: viewer, sha256: "%s"}
        retention: {raw: 3h, logs: 1d}
        limits: {maxSamples: 1000}
        """.formatted(HASH));
    CollectionServiceConfig c = CollectionServiceConfig.load(f);
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(7602);
    assertThat(c.machineSecret()).isEqualTo(SECRET);
    assertThat(c.tokens().get(0).role()).isEqualTo(Role.VIEWER);
    assertThat(c.database().url()).isEqualTo("jdbc:h2:file:" + dir.resolve("collection-data").resolve("c1"));
    assertThat(c.retention().raw()).isEqualTo(Duration.ofHours(3));
    assertThat(c.retention().minute()).isEqualTo(Duration.ofDays(7));
    assertThat(c.retention().logs()).isEqualTo(Duration.ofDays(1));
    assertThat(c.limits().maxSamples()).isEqualTo(1000);
    assertThat(c.rollupInterval()).isEqualTo(Duration.ofSeconds(30));

    Path pg = Files.writeString(dir.resolve("pg.yaml"), """
        id: c2
        database: {url: "jdbc:postgresql://db.example:5432/collection", user: collector, passwordFile: db.password}
        machineSecretFile: machine-secret
        tokens: [{name: cockpit, role: admin, sha256: "%s"}]
        """.formatted(HASH));
    CollectionServiceConfig p = CollectionServiceConfig.load(pg);
    assertThat(p.port()).isEqualTo(7601);
    assertThat(p.database().user()).isEqualTo("collector");
    assertThat(p.database().password()).isEqualTo("pw");
    assertThat(CollectionServiceConfig.h2Relative("jdbc:h2:file:data/c;AUTO_SERVER=TRUE", dir))
        .isEqualTo("jdbc:h2:file:" + dir.resolve("data/c") + ";AUTO_SERVER=TRUE");
  }

  @Test
  void refusesWhatItCannotRunWithNamingFileAndKey() throws Exception {
    Files.writeString(dir.resolve("machine-secret"), SECRET);
    Path unknown = Files.writeString(dir.resolve("a.yaml"), "id: c1\nmachineSecretFile: machine-secret\n"
        + "tokens: [{name: x, role: viewer, sha256: \"" + HASH + "\"}]\ncolour: red\n");
    assertThatThrownBy(() -> CollectionServiceConfig.load(unknown)).hasMessageContaining("a.yaml")
        .hasMessageContaining("colour");
    Path machine = Files.writeString(dir.resolve("b.yaml"), "id: c1\nmachineSecretFile: machine-secret\n"
        + "tokens: [{name: x, role: machine, sha256: \"" + HASH + "\"}]\n");
    assertThatThrownBy(() -> CollectionServiceConfig.load(machine)).hasMessageContaining("tokens");
    Path mysql = Files.writeString(dir.resolve("c.yaml"), "id: c1\nmachineSecretFile: machine-secret\n"
        + "database: {url: \"jdbc:mysql://x/y\"}\ntokens: [{name: x, role: viewer, sha256: \"" + HASH + "\"}]\n");
    assertThatThrownBy(() -> CollectionServiceConfig.load(mysql)).hasMessageContaining("database.url");
    Path noSecret = Files.writeString(dir.resolve("d.yaml"), "id: c1\nmachineSecretFile: nope\n"
        + "tokens: [{name: x, role: viewer, sha256: \"" + HASH + "\"}]\n");
    assertThatThrownBy(() -> CollectionServiceConfig.load(noSecret)).hasMessageContaining("machineSecretFile");
    Path badDuration = Files.writeString(dir.resolve("e.yaml"), "id: c1\nmachineSecretFile: machine-secret\n"
        + "retention: {raw: forever}\ntokens: [{name: x, role: viewer, sha256: \"" + HASH + "\"}]\n");
    assertThatThrownBy(() -> CollectionServiceConfig.load(badDuration)).hasMessageContaining("retention.raw");
  }
}
