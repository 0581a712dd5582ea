package org.autopilot.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.core.CommandResult;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite's "off the network" does what it says: a leader taken off the network is
 * replaced by a leader the other two elect, which commits writes the isolated replica does not
 * get until it is reconnected, and then it catches up.
 */
@Tag("chaos")
class OffNetworkTest {
  @TempDir Path dir;

  @Test
  void anIsolatedLeaderIsReplacedAndCatchesUpWhenReconnected() throws Exception {
    try (ChaosCluster dm = new ChaosCluster(dir, 3, InstantSource.system()).start();
        DmClient client = new DmClient(dm.apiUrls(), dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(3), 10)) {
      String old = awaitLeader(dm, null);
      assertThat(client.send(new DefineScaleUnit("before", "test")).accepted()).isTrue();
      dm.isolate(old);
      long cutAt = dm.revision(old);

      String next = awaitLeader(dm, old);
      CommandResult during;
      try (DmClient others = new DmClient(dm.ids().stream().filter(id -> !id.equals(old)).map(dm::apiUrl).toList(),
          dm.token(Role.ADMIN), new Random(1), Duration.ofSeconds(3), 10)) {
        during = others.send(new DefineScaleUnit("during", "test"));
      }
      assertThat(during.accepted()).isTrue();
      assertThat(during.revision()).isGreaterThan(cutAt);
      Thread.sleep(1000);
      assertThat(dm.revision(old)).as("%s, off the network, got nothing new", old).isEqualTo(cutAt);
      assertThat(dm.revision(next)).isGreaterThanOrEqualTo(during.revision());

      dm.reconnect(old);
      ChaosTest.await(System.nanoTime(), old + " caught up", Duration.ofSeconds(60),
          () -> dm.revision(old) >= during.revision());
      assertThat(Trails.read(dm.directApiUrl(old), dm.token(Role.ADMIN)))
          .isEqualTo(Trails.read(dm.directApiUrl(next), dm.token(Role.ADMIN)).subList(0, (int) dm.revision(old)));
    }
  }

  /** A leader other than {@code not}, waiting up to 30 s. */
  static String awaitLeader(ChaosCluster dm, String not) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      for (String id : dm.ids()) {
        if (!id.equals(not) && dm.running(id) && isLeader(dm, id)) {
          return id;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader other than " + not + " within 30 s");
  }

  private static boolean isLeader(ChaosCluster dm, String id) {
    return id.equals(dm.leaderAmong(List.of(id)));
  }
}
