package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorKeyTest {
  @TempDir Path dir;

  @Test
  void theKeyIsCreatedOnceThenReadBack() throws Exception {
    Path file = dir.resolve("fleet/operator_key");
    KeyPair first = OperatorKey.loadOrCreate(file);
    KeyPair again = OperatorKey.loadOrCreate(file);
    assertThat(KeyUtils.compareKeys(first.getPublic(), again.getPublic())).isTrue();
    assertThat(Files.readString(file)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    assertThat(Files.readString(dir.resolve("fleet/operator_key.pub"))).startsWith("ecdsa-sha2-nistp256 ");
  }
}
