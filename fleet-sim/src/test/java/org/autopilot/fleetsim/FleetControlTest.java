package org.autopilot.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetControlTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> call(int port, String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void faultsAndPowerAreControlledOverHttpAndSeenOverSsh() throws Exception {
    KeyPair key = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    try (SimulatedFleet fleet = new SimulatedFleet(dir, List.of(key.getPublic()),
            () -> MachineAgent.NONE, Duration.ofMillis(200));
        FleetControl control = new FleetControl(fleet, "s3cret").start(0);
        SshProbe ssh = new SshProbe(key)) {
      int p = control.port();
      assertThat(call(p, "GET", "/fleet/machines", null, null).statusCode()).isEqualTo(401);
      HttpResponse<String> added = call(p, "POST", "/fleet/machines", "{\"id\":\"sim-9\"}", "s3cret");
      assertThat(added.statusCode()).isEqualTo(201);
      int sshPort = fleet.machine("sim-9").port();
      assertThat(ssh.run(sshPort, "disk-check").exit()).isZero();

      assertThat(call(p, "POST", "/fleet/machines/sim-9/faults/disk_error", null, "s3cret").body())
          .contains("DISK_ERROR");
      assertThat(ssh.run(sshPort, "disk-check").exit()).isEqualTo(2);
      call(p, "DELETE", "/fleet/machines/sim-9/faults/DISK_ERROR", null, "s3cret");
      assertThat(ssh.run(sshPort, "disk-check").exit()).isZero();

      assertThat(call(p, "POST", "/fleet/machines/sim-9/power/off", null, "s3cret").body())
          .contains("\"power\":\"OFF\"");
      assertThat(call(p, "POST", "/fleet/machines/sim-9/power/on", null, "s3cret").body())
          .contains("\"boots\":2");
      assertThat(ssh.run(sshPort, "machine-id").out()).isEqualTo("sim-9");

      HttpResponse<String> bad = call(p, "POST", "/fleet/machines/sim-9/faults/GREMLINS", null, "s3cret");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("GREMLINS", "DISK_ERROR");
      HttpResponse<String> traversal = call(p, "POST", "/fleet/machines", "{\"id\":\"../x\"}", "s3cret");
      assertThat(traversal.statusCode()).as(traversal.body()).isEqualTo(400);
      assertThat(call(p, "POST", "/fleet/machines", "not json", "s3cret").statusCode()).isEqualTo(400);
    }
  }
}
