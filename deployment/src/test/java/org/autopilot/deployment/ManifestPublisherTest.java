package org.autopilot.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.autopilot.manifests.Manifest;
import org.autopilot.manifests.ManifestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestPublisherTest {
  static final Path EXAMPLES = Path.of("..", "manifests", "examples");

  @Test
  void everyExampleManifestIsValidAndMatchesItsSources() throws Exception {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      var yamls = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(yamls).hasSizeGreaterThanOrEqualTo(3);
      for (Path f : yamls) {
        Manifest m = ManifestPublisher.check(f);
        assertThat(m.files()).allSatisfy(file -> assertThat(file.source()).isNotNull());
      }
    }
  }

  @Test
  void aSourceThatDoesNotMatchItsHashIsRefusedBeforeAnythingIsUploaded(@TempDir Path dir)
      throws Exception {
    Path yaml = dir.resolve("web.yaml");
    Files.copy(EXAMPLES.resolve("web-v1.yaml"), yaml);
    Path src = Files.createDirectories(dir.resolve("files/web"));
    Files.copy(EXAMPLES.resolve("files/web/run.sh"), src.resolve("run.sh"));
    Files.writeString(src.resolve("greeting-v1.txt"), "hello from version X\n");

    assertThatThrownBy(() -> ManifestPublisher.check(yaml))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("web/conf/greeting.txt: source files/web/greeting-v1.txt hashes to");
    Files.delete(src.resolve("run.sh"));
    assertThatThrownBy(() -> ManifestPublisher.check(yaml)).hasMessageContaining("is not a file");
  }
}
