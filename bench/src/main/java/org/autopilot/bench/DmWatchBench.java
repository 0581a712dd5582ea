package org.autopilot.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Opens thousands of blocking watches on one DM replica (its own process), checks how many
 * threads the replica needed for them, then makes one change and times how long it takes
 * until every watcher has its answer.
 */
@Command(name = "dm-watch", mixinStandardHelpOptions = true,
    description = "N open blocking watches on one replica: server threads, and time to wake them all.")
public final class DmWatchBench implements Callable<Integer> {
  @Option(names = "--watches", defaultValue = "10000") int watches;
  @Option(names = "--rounds", defaultValue = "3", description = "changes, each waking every watch") int rounds;
  @Option(names = "--data", description = "data directory (default: a new temp dir)") Path data;
  @Option(names = "--heap", defaultValue = "1g", description = "heap of the replica JVM") String heap;

  @Override
  public Integer call() throws Exception {
    Path dir = data != null ? data : Files.createTempDirectory("autopilot-dm-watch-");
    System.out.printf("dm-watch: %d watches on 1 replica, %d rounds, data %s%n", watches, rounds, dir);
    try (ProcessCluster cluster = new ProcessCluster(dir, 1, heap)) {
      cluster.startAll();
      cluster.leader(Duration.ofSeconds(60)).orElseThrow();
      String api = cluster.apiUrls().get(0);
      DmClient client = new DmClient(List.of(api), cluster.token(), new Random(1), Duration.ofSeconds(30), 3);
      long threadsIdle = metric(api, cluster.token(), "jvm_threads_live_threads");
      List<Long> wakeMs = new ArrayList<>();
      long threadsWatching = 0;
      long heapWatching = 0;
      int woken = 0;
      for (int round = 1; round <= rounds; round++) {
        long index = client.watch(0, Duration.ZERO);
        List<CompletableFuture<Long>> open = new ArrayList<>(watches);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 0; i < watches; i++) {
          open.add(client.watchAsync(index, Duration.ofMinutes(4)));
          if (i % 500 == 499) {
            // ramp up in steps, so connects do not overrun the accept queue
            while (client.status().get("openWatches").asInt() < i - 500 && System.nanoTime() < deadline) {
              Thread.sleep(20);
            }
          }
        }
        while (client.status().get("openWatches").asInt() < watches && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        int seen = client.status().get("openWatches").asInt();
        threadsWatching = Math.max(threadsWatching, metric(api, cluster.token(), "jvm_threads_live_threads"));
        heapWatching = Math.max(heapWatching, metric(api, cluster.token(), "jvm_memory_used_bytes"));
        long start = System.nanoTime();
        client.send(new DefineScaleUnit("wake-" + round, "dm-watch bench"));
        CompletableFuture.allOf(open.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        wakeMs.add(ms);
        woken = (int) open.stream().filter(f -> f.join() > index).count();
        System.out.printf("round %d: %d watches open on the replica, %d woken by one change in %d ms%n",
            round, seen, woken, ms);
      }
      client.close();
      new Report("dm-watch").put("watches", watches).put("woken_last_round", woken)
          .put("server_threads_idle", threadsIdle).put("server_threads_with_watches", threadsWatching)
          .put("server_heap_used_mb", heapWatching >> 20)
          .put("wake_all_ms", wakeMs)
          .put("baseline", "server threads with no watch open")
          .put("ratio_threads_vs_idle", threadsWatching / (double) Math.max(1, threadsIdle))
          .print(String.format("%d open watches cost the replica %d threads (idle: %d); one change woke "
              + "them all in %s ms", watches, threadsWatching, threadsIdle, wakeMs));
    }
    return 0;
  }

  /** Sum of a metric's series (e.g. every heap pool of jvm_memory_used_bytes). */
  private static long metric(String api, String token, String name) throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(api.replace("/api/v1", "/metrics"))).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} ([0-9.E+]+)$").matcher(body);
    double sum = 0;
    while (m.find()) {
      if (!name.equals("jvm_memory_used_bytes") || m.group(1).contains("area=\"heap\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return (long) sum;
  }
}
