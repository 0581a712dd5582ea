package org.autopilot.devicemanager.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.autopilot.devicemanager.api.FleetQueries.EventPage;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.event.DmEvent;
import org.autopilot.devicemanager.event.MachinePlaced;
import org.autopilot.devicemanager.linearizability.CasRegister.Ack;
import org.autopilot.devicemanager.linearizability.CasRegister.Input;
import org.autopilot.devicemanager.linearizability.CasRegister.Output;
import org.autopilot.devicemanager.linearizability.CasRegister.Read;
import org.autopilot.devicemanager.linearizability.LinearizabilityChecker.Result;
import org.autopilot.devicemanager.linearizability.LinearizabilityChecker.Verdict;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8: the DM API is linearizable under concurrent clients while its leader is killed and
 * restarted. Four clients read, write and compare-and-set the rack labels of four machines on a
 * real three-replica cluster on loopback for {@code -Dlinearizability.seconds} (default 20); the
 * history is checked by {@link LinearizabilityChecker} against {@link CasRegister}. Reads use
 * {@code consistent=true}; {@code -Dlinearizability.reads=local} checks plain reads instead.
 */
class DmLinearizabilityTest {
  static final List<String> KEYS = List.of("lin-0", "lin-1", "lin-2", "lin-3");
  static final CasRegister MODEL = new CasRegister("init");
  @TempDir Path dir;

  @Test
  void concurrentClientsSeeOneLinearizableRegisterPerMachineWhileTheLeaderIsKilled() throws Exception {
    long seed = Long.getLong("linearizability.seed", new Random().nextInt(1_000_000));
    int seconds = Integer.getInteger("linearizability.seconds", 20);
    boolean consistent = !"local".equals(System.getProperty("linearizability.reads"));
    System.out.printf("linearizability: seed %d (-Dlinearizability.seed=%d), %d s, %s reads%n",
        seed, seed, seconds, consistent ? "consistent" : "local");
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      register(cluster);
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      LeaderKiller killer = new LeaderKiller(cluster, seed, end);
      Thread nemesis = new Thread(killer, "lin-nemesis");
      nemesis.start();
      RackWorkload.Report report = new RackWorkload(cluster, new RackWorkload.Settings(4, KEYS,
          Duration.ofSeconds(seconds), seed, consistent, false)).run();
      nemesis.join(60_000);
      assertThat(nemesis.isAlive()).as("nemesis finished").isFalse();
      assertThat(killer.failure()).as("nemesis failure").isNull();

      List<Operation<Input, Output>> history = new ArrayList<>(report.history());
      Map<String, String> last = converge(cluster, history);
      Result<Input, Output> result = LinearizabilityChecker.check(MODEL, history, Duration.ofSeconds(60));
      System.out.printf("linearizability: %d operations (%d reads, %d ok writes/cas, %d stale cas,"
              + " %d unknown), %d failed reads left out, %d leader kills %s; checker %s in %d ms"
              + " over %d keys%n",
          history.size(), history.stream().filter(o -> o.input() instanceof Read).count(),
          history.stream().filter(o -> !(o.input() instanceof Read) && o.output().ack() == Ack.OK).count(),
          report.count(Ack.STALE), report.count(Ack.UNKNOWN), report.failedReads(),
          killer.killed().size(), killer.killed(), result.verdict(), result.took().toMillis(),
          result.partitions());
      assertThat(result.verdict()).as(excerpt(result)).isEqualTo(Verdict.LINEARIZABLE);
      System.out.println("linearizability: operations started per second "
          + java.util.Arrays.toString(perSecond(history, seconds)));
      if (seconds >= 10) {
        assertThat(killer.killed()).as("leaders killed").isNotEmpty();
      }
      assertEveryAcknowledgedWriteWasKept(cluster, report.acknowledged(), last);
    }
  }

  @Test
  void aDmThatAnswersReadsFromAStaleCacheIsCaught() throws Exception {
    long seed = Long.getLong("linearizability.seed", 7);
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      register(cluster);
      RackWorkload.Report report = new RackWorkload(cluster, new RackWorkload.Settings(4,
          KEYS.subList(0, 2), Duration.ofSeconds(4), seed, true, true)).run();
      Result<Input, Output> result = LinearizabilityChecker.check(MODEL, report.history(),
          Duration.ofSeconds(30));
      System.out.printf("stale-read injector: %d operations, %d stale answers injected, checker %s%n%s%n",
          report.history().size(), report.injected(), result.verdict(), excerpt(result));
      assertThat(report.injected()).as("stale reads injected").isPositive();
      assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }

  @Test
  void plainReadsFromFollowersAreNotLinearizableAsDocumented() throws Exception {
    long seed = Long.getLong("linearizability.seed", 11);
    try (LocalCluster cluster = LocalCluster.create(dir, 3, 0, InstantSource.system()).start()) {
      register(cluster);
      RackWorkload.Report report = new RackWorkload(cluster, new RackWorkload.Settings(4,
          KEYS.subList(0, 2), Duration.ofSeconds(6), seed, false, false)).run();
      Result<Input, Output> result = LinearizabilityChecker.check(MODEL, report.history(),
          Duration.ofSeconds(30));
      System.out.printf("plain (local) reads: %d operations, checker %s%n%s%n",
          report.history().size(), result.verdict(), excerpt(result));
      assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }

  /**
   * Registers the machines with rack {@code init} (a registration whose answer was lost counts
   * if the machine is there) and waits until every replica answers consistent reads of them.
   */
  private static void register(LocalCluster cluster) throws Exception {
    cluster.leader(15_000).orElseThrow();
    try (DmClient dm = new DmClient(cluster.apiUrls(), cluster.token(Role.OPERATOR), new Random(1),
        Duration.ofSeconds(10), 6)) {
      for (String key : KEYS) {
        boolean there = false;
        for (int attempt = 1; attempt <= 5 && !there; attempt++) {
          try {
            there = dm.send(new RegisterMachine(MachineId.of(key), "127.0.0.1:22", "SHA256:" + key,
                null, null, MODEL.initial(), null, "linearizability check")).accepted()
                || MODEL.initial().equals(dm.getJson("machines/" + key + "?consistent=true")
                    .path("rack").asText());
          } catch (DmClientException e) {
            // answer lost or no leader: look again
          }
        }
        assertThat(there).as("machine %s registered", key).isTrue();
      }
    }
    converge(cluster, new ArrayList<>());
  }

  /**
   * Reads every key from every replica (consistent) until they agree, at most 30 s, each read
   * added to the history; the agreed value per key.
   */
  private static Map<String, String> converge(LocalCluster cluster, List<Operation<Input, Output>> history)
      throws InterruptedException {
    cluster.leader(15_000).orElseThrow();
    List<DmClient> replicas = cluster.apiUrls().stream().map(u -> new DmClient(List.of(u),
        cluster.token(Role.OPERATOR), new Random(2), Duration.ofSeconds(5), 1)).toList();
    try {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        Map<String, Set<String>> seen = new TreeMap<>();
        for (int r = 0; r < replicas.size(); r++) {
          for (String key : KEYS) {
            long call = System.nanoTime();
            try {
              String v = replicas.get(r).getJson("machines/" + key + "?consistent=true").get("rack").asText();
              history.add(new Operation<>(100 + r, new Read(key), call, Output.read(v), System.nanoTime()));
              seen.computeIfAbsent(key, k -> new HashSet<>()).add(v);
            } catch (DmClientException e) {
              seen.computeIfAbsent(key, k -> new HashSet<>()).add("?unreadable");
            }
          }
        }
        if (seen.values().stream().allMatch(s -> s.size() == 1)) {
          Map<String, String> out = new TreeMap<>();
          seen.forEach((k, s) -> out.put(k, s.iterator().next()));
          return out;
        }
        assertThat(System.nanoTime() - deadline).as("replicas agree within 30 s: " + seen).isNegative();
        Thread.sleep(200);
      }
    } finally {
      replicas.forEach(DmClient::close);
    }
  }

  /** Every value whose write was acknowledged is in the audit trail, and the last one stands. */
  private static void assertEveryAcknowledgedWriteWasKept(LocalCluster cluster,
      Map<String, Set<String>> acknowledged, Map<String, String> last) {
    try (DmClient dm = new DmClient(cluster.apiUrls(), cluster.token(Role.OPERATOR), new Random(3),
        Duration.ofSeconds(10), 6)) {
      for (String key : KEYS) {
        Set<String> placed = new HashSet<>();
        long after = 0;
        while (true) {
          EventPage page = dm.events(MachineId.of(key), after, 500);
          for (DmEvent e : page.items()) {
            if (e instanceof MachinePlaced p) {
              placed.add(p.rack());
            }
          }
          if (page.next() == null) {
            break;
          }
          after = Long.parseLong(page.next());
        }
        assertThat(placed).as("acknowledged writes of %s in its audit trail", key)
            .containsAll(acknowledged.get(key));
        assertThat(placed.contains(last.get(key)) || last.get(key).equals(MODEL.initial()))
            .as("final value %s of %s was written", last.get(key), key).isTrue();
      }
    }
  }

  /** How many operations of the load (not the final reads) started in each second. */
  private static int[] perSecond(List<Operation<Input, Output>> history, int seconds) {
    long t0 = history.stream().mapToLong(Operation::call).min().orElse(0);
    int[] out = new int[seconds + 1];
    history.stream().filter(o -> o.client() < 100)
        .forEach(o -> out[(int) Math.min(seconds, (o.call() - t0) / 1_000_000_000L)]++);
    return out;
  }

  /** The end of the longest linearization found and the operations that could not follow it. */
  static String excerpt(Result<Input, Output> r) {
    if (r.verdict() != Verdict.NOT_LINEARIZABLE) {
      return r.verdict().toString();
    }
    long t0 = r.failed().get(0).call();
    StringBuilder s = new StringBuilder("not linearizable; the longest linearization of key ")
        .append(r.failed().get(0).input().key()).append(" ends with:\n");
    List<Operation<Input, Output>> longest = r.longest();
    for (Operation<Input, Output> o : longest.subList(Math.max(0, longest.size() - 6), longest.size())) {
      s.append("  ").append(line(o, t0)).append('\n');
    }
    s.append("and none of these can come next:\n");
    Set<Operation<Input, Output>> done = new HashSet<>(longest);
    r.failed().stream().filter(o -> !done.contains(o)).limit(8)
        .forEach(o -> s.append("  ").append(line(o, t0)).append('\n'));
    return s.toString();
  }

  private static String line(Operation<Input, Output> o, long t0) {
    String ret = o.ret() == Operation.NEVER ? "never" : String.format("%.3f ms", (o.ret() - t0) / 1e6);
    return String.format("[%.3f ms, %s] %s", (o.call() - t0) / 1e6, ret, MODEL.describe(o));
  }
}
