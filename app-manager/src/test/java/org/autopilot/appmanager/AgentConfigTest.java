package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  @TempDir Path dir;

  @Test
  void readsAFileWithDefaultsAndATokenFile() throws Exception {
    Files.writeString(dir.resolve("token"), "machine:h1:abc\n");
    Path f = Files.writeString(dir.resolve("agent.yaml"), """
        machineId: h1
        dmUrls: [http://10.0.0.1:7101/api/v1]
        dmTokenFile: token
        home: state
        sources: [http://10.0.0.9:7401]
        restartBackoff: 500ms
        """);
    AgentConfig c = AgentConfig.load(f);
    assertThat(c.dmToken()).isEqualTo("machine:h1:abc");
    assertThat(c.home()).isEqualTo(dir.resolve("state"));
    assertThat(c.sources()).containsExactly(URI.create("http://10.0.0.9:7401"));
    assertThat(c.restartBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.watchWait()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws Exception {
    Path f = Files.writeString(dir.resolve("agent.yaml"), "machineId: h1\ndmUrl: x\n");
    assertThatThrownBy(() -> AgentConfig.load(f)).hasMessageContaining("agent.yaml")
        .hasMessageContaining("dmUrl");
    Path g = Files.writeString(dir.resolve("b.yaml"), """
        machineId: h1
        dmUrls: [http://x/api/v1]
        dmToken: t
        home: h
        watchWait: soon
        """);
    assertThatThrownBy(() -> AgentConfig.load(g)).hasMessageContaining("watchWait 'soon'");
  }
}
