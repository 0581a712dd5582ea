package org.autopilot.appmanager;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineMachineType;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.model.Health;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.autopilot.tls.ThrowawayCa;
import org.autopilot.tls.TrustBundle;
import org.autopilot.watchdogs.service.WatchdogService;
import org.autopilot.watchdogs.service.WatchdogServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's watchdog reports over TLS end to end: the app-manager's reporter (trusting the CA
 * of its {@code caFile}) to a real watchdog service serving HTTPS, which forwards to a real DM
 * serving HTTPS; all certificates from one throwaway CA, all on loopback.
 */
class TlsReportingTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void watchdogReportsReachTheDmThroughTheWatchdogServiceOverTls(@TempDir Path dir) throws Exception {
    ThrowawayCa ca = ThrowawayCa.create(dir.resolve("pki"), "agent-test-ca");
    TrustBundle trust = TrustBundle.load(ca.caFile(), "caFile");
    try (LocalCluster dm = LocalCluster.create(dir.resolve("dm"), 1, 0, InstantSource.system(),
            ca.issue("dm").pemSettings()).start();
        DmClient admin = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), trust, new Random(1),
            Duration.ofSeconds(10), 3)) {
      dm.leader(15_000).orElseThrow();
      admin.sendAll(List.of(new DefineMachineType("web", null, "test"), new DefineScaleUnit("su-1", "test"),
          new RegisterMachine(MachineId.of("m1"), "127.0.0.1:1", "SHA256:none", "web", "su-1", "r1", null,
              "test")));
      WatchdogServiceConfig config = WatchdogServiceConfig.of("wd1", "127.0.0.1", 0, dm.apiUrls(),
              dm.token(org.autopilot.devicemanager.api.SatelliteService.WATCHDOG), dm.machineSecret())
          .withTimes(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofMinutes(10), null)
          .withTls(ca.issue("wd").pemSettings(), ca.caFile());
      try (WatchdogService service = WatchdogService.start(config, InstantSource.system())) {
        Await.until("wd1 leads", WAIT, service::ready);
        assertThat(service.url()).startsWith("https://127.0.0.1:");
        ServiceWatchdogReporter reporter = new ServiceWatchdogReporter("m1", dm.machineToken("m1"),
            List.of(URI.create(service.url())), new AgentWatchdogsTest.Faults(), Duration.ofSeconds(5), trust);
        reporter.accept(ServiceWatchdogReporterTest.round(1));
        assertThat(reporter.sent()).isEqualTo(1);
        Await.until("the DM has m1's check_x Error", WAIT, () -> admin.machine(MachineId.of("m1"))
            .map(m -> m.watchdogs().get("check_x")).map(w -> w.status() == Health.ERROR).orElse(false));

        // the same reporter without the CA gets nowhere: the JDK's CAs do not know this one
        ServiceWatchdogReporter untrusting = new ServiceWatchdogReporter("m1", dm.machineToken("m1"),
            List.of(URI.create(service.url())), new AgentWatchdogsTest.Faults(), Duration.ofSeconds(5));
        untrusting.accept(ServiceWatchdogReporterTest.round(2));
        assertThat(untrusting.sent()).isZero();
      }
    }
  }
}
