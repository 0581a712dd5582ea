package org.autopilot.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.RegisterMachine;
import org.autopilot.devicemanager.model.Machine;
import org.autopilot.devicemanager.model.MachineId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Crashes the DM leader ({@code kill -9}) again and again under write load and measures how long
 * writes stall, then checks with a linearizable read that every acknowledged write survived.
 */
@Command(name = "dm-failover", mixinStandardHelpOptions = true,
    description = "kill -9 the DM leader repeatedly under load: write stall and lost acknowledged writes.")
public final class DmFailoverBench implements Callable<Integer> {
  @Option(names = "--replicas", defaultValue = "3") int replicas;
  @Option(names = "--rounds", defaultValue = "5") int rounds;
  @Option(names = "--clients", defaultValue = "32") int clients;
  @Option(names = "--readers", defaultValue = "8",
      description = "clients doing linearizable reads (consistent=true) meanwhile") int readers;
  @Option(names = "--steady", defaultValue = "3", description = "seconds of load before each kill") int steady;
  @Option(names = "--heap", defaultValue = "512m") String heap;
  @Option(names = "--window", defaultValue = "8", description = "seconds observed after each kill") int window;
  @Option(names = "--seed", defaultValue = "7") long seed;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;

  @Override
  public Integer call() throws Exception {
    if (replicas < 3) {
      throw new IllegalArgumentException("failover needs at least 3 replicas");
    }
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-dm-failover-");
    System.out.printf("dm-failover: %d replicas, %d rounds, %d clients, data %s%n", replicas, rounds, clients, dir);
    try (ProcessCluster cluster = new ProcessCluster(dir, replicas, heap)) {
      cluster.startAll();
      cluster.leader(Duration.ofSeconds(60)).orElseThrow();
      ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> unknown = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Long> ackTimes = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Long> readTimes = new ConcurrentLinkedQueue<>();
      AtomicLong readsFailed = new AtomicLong();
      AtomicLong stopAt = new AtomicLong(Long.MAX_VALUE);
      CountDownLatch done = new CountDownLatch(clients + readers);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int id = c;
        DmClient client = new DmClient(cluster.apiUrls(), cluster.token(), new Random(seed + c),
            Duration.ofSeconds(10), 40);
        Thread t = new Thread(() -> {
          try {
            for (long seq = 0; System.nanoTime() < stopAt.get() && seq < 10_000_000; seq++) {
              String m = "c" + id + "-" + seq;
              try {
                if (client.send(new RegisterMachine(MachineId.of(m), "127.0.0.1:1", "SHA256:x", null,
                    null, null, null, "failover bench")).accepted()) {
                  acked.add(m);
                  ackTimes.add(System.nanoTime());
                }
              } catch (RuntimeException e) {
                unknown.add(m);
              }
            }
          } finally {
            done.countDown();
          }
        }, "load-" + c);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }

      for (int r = 0; r < readers; r++) {
        int id = r;
        DmClient client = new DmClient(cluster.apiUrls(), cluster.token(), new Random(seed + 1000 + r),
            Duration.ofSeconds(10), 40);
        Thread t = new Thread(() -> {
          try {
            for (long n = 0; System.nanoTime() < stopAt.get() && n < 10_000_000; n++) {
              try {
                client.getJson("machines?limit=1&consistent=true");
                readTimes.add(System.nanoTime());
              } catch (RuntimeException e) {
                readsFailed.incrementAndGet();
              }
            }
          } finally {
            done.countDown();
          }
        }, "read-" + id);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }

      List<Long> stalls = new ArrayList<>();
      List<Long> readStalls = new ArrayList<>();
      List<String> killed = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        Thread.sleep(steady * 1000L);
        String leader = cluster.leader(Duration.ofSeconds(30)).orElseThrow(() ->
            new IllegalStateException("no leader before the kill"));
        long kill = System.nanoTime();
        cluster.kill(leader);
        killed.add(leader);
        String next = cluster.leader(Duration.ofSeconds(20)).orElse("none");
        long elected = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kill);
        Thread.sleep(Math.max(0, window * 1000L - elected));
        long stall = maxGap(ackTimes, kill - TimeUnit.MILLISECONDS.toNanos(200), System.nanoTime());
        stalls.add(stall);
        long readStall = readers == 0 ? 0
            : maxGap(readTimes, kill - TimeUnit.MILLISECONDS.toNanos(200), System.nanoTime());
        readStalls.add(readStall);
        System.out.printf("round %d: killed leader %s; %s leads after %d ms; longest write stall %d ms,"
            + " consistent-read stall %d ms%n", round, leader, next, elected, stall, readStall);
        cluster.start(leader);
        long restart = System.nanoTime();
        boolean caughtUp = cluster.awaitCaughtUp(Duration.ofSeconds(60));
        System.out.printf("         %s restarted and %s in %d ms%n", leader,
            caughtUp ? "caught up" : "did NOT catch up", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart));
      }
      Thread.sleep(steady * 1000L);
      stopAt.set(System.nanoTime());
      done.await(60, TimeUnit.SECONDS);

      DmClient reader = new DmClient(cluster.apiUrls(), cluster.token(), new Random(seed), Duration.ofSeconds(30), 20);
      Set<String> present = new HashSet<>();
      for (Machine m : reader.allMachines(Map.of("consistent", "true"))) {
        present.add(m.id().value());
      }
      long lost = acked.stream().filter(m -> !present.contains(m)).count();
      long unknownLanded = unknown.stream().filter(present::contains).count();
      long maxStall = stalls.stream().mapToLong(Long::longValue).max().orElse(0);
      new Report("dm-failover")
          .put("replicas", replicas).put("rounds", rounds).put("clients", clients)
          .put("killed", killed).put("stalls_ms", stalls)
          .put("max_unavailable_ms", maxStall)
          .put("readers", readers).put("read_stalls_ms", readStalls)
          .put("max_read_unavailable_ms", readStalls.stream().mapToLong(Long::longValue).max().orElse(0))
          .put("consistent_reads", readTimes.size()).put("consistent_reads_failed", readsFailed.get())
          .put("acknowledged", acked.size()).put("lost_acknowledged", lost)
          .put("outcome_unknown", unknown.size()).put("outcome_unknown_landed", unknownLanded)
          .put("baseline", "Raft election timeout 300-600 ms")
          .put("ratio_vs_election_timeout_max", maxStall / 600.0)
          .print(String.format("%d leader crashes (kill -9): longest write stall %d ms, consistent-read"
              + " stall %d ms; %d acknowledged writes, %d lost; %d answered 'outcome unknown' (%d of them"
              + " landed); %d consistent reads", rounds, maxStall,
              readStalls.stream().mapToLong(Long::longValue).max().orElse(0), acked.size(), lost,
              unknown.size(), unknownLanded, readTimes.size()));
      return lost == 0 ? 0 : 1;
    }
  }

  /** Longest time without an acknowledgement between {@code from} and {@code to}. */
  private static long maxGap(ConcurrentLinkedQueue<Long> times, long from, long to) {
    List<Long> in = new ArrayList<>();
    for (Long t : times) {
      if (t >= from && t <= to) {
        in.add(t);
      }
    }
    in.sort(Long::compare);
    long prev = from;
    long gap = 0;
    for (long t : in) {
      gap = Math.max(gap, t - prev);
      prev = t;
    }
    gap = Math.max(gap, to - prev);
    return TimeUnit.NANOSECONDS.toMillis(gap);
  }
}
