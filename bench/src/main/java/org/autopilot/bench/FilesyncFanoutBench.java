package org.autopilot.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.autopilot.filesync.BlobServer;
import org.autopilot.filesync.ContentStore;
import org.autopilot.filesync.SwarmConfig;
import org.autopilot.filesync.SwarmFetcher;
import org.autopilot.filesync.Tracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One file from one seed to many agents over loopback, every host (the seed included) capped
 * in each direction, so a lone server would need {@code agents} times the ideal time and only
 * peer fetching gets close to it. The agents run in this JVM, each with its own blob server,
 * port, content store and caps. Baseline: the same fan-out from one rsync daemon whose uplink
 * is capped the same way (when rsync is installed).
 */
@Command(name = "filesync-fanout", mixinStandardHelpOptions = true,
    description = "Fan-out of one file to many agents through the filesync swarm vs one rsync daemon.")
public final class FilesyncFanoutBench implements Callable<Integer> {
  static final long MIB = 1 << 20;
  @Option(names = "--bytes", defaultValue = "256m", description = "file size (k, m, g: binary units)") String bytes;
  @Option(names = "--agents", defaultValue = "32") int agents;
  @Option(names = "--cap-mb-s", defaultValue = "10",
      description = "every host's cap in each direction, MiB/s (the seed's uplink included)") double capMbS;
  @Option(names = "--server-slots", defaultValue = "8", description = "concurrent transfers per agent server") int serverSlots;
  @Option(names = "--seed-slots", defaultValue = "8", description = "concurrent transfers of the seed's server") int seedSlots;
  @Option(names = "--parallel", description = "chunk transfers per fetch (default: SwarmConfig's)") Integer parallel;
  @Option(names = "--per-peer", description = "SwarmConfig perPeer (default: SwarmConfig's)") Integer perPeer;
  @Option(names = "--window", description = "SwarmConfig window (default: SwarmConfig's)") Integer window;
  @Option(names = "--queue-ms", defaultValue = "0",
      description = "how long a request may wait for a transfer slot before a server answers 503") int queueMs;
  @Option(names = "--rsync", defaultValue = "auto", description = "auto (when installed) or skip") String rsync;
  @Option(names = "--rsync-agents", defaultValue = "4",
      description = "clients in the rsync baseline; its time is scaled to --agents (linear: the capped uplink is the limit)")
  int rsyncAgents;
  @Option(names = "--warmup", defaultValue = "32m",
      description = "size of an unmeasured fan-out first, through other agents in this JVM (JIT warm-up); 0 = none")
  String warmup;
  @Option(names = "--timeline", description = "print every 2 s: seed MiB sent, chunks held per agent (min/median/max)")
  boolean timeline;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--dir", description = "work directory (default: a new temp dir; deleted at the end either way)") Path dir;

  @Override
  public Integer call() throws Exception {
    long size = parseSize(bytes);
    long cap = (long) (capMbS * MIB);
    double ideal = size / (double) cap;
    Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("autopilot-filesync-fanout-");
    System.out.printf("filesync-fanout: %,d bytes from 1 seed to %d agents, every host capped at %.1f MiB/s "
        + "each way; ideal (size / cap) %.1f s, one server alone %.0f s%n", size, agents, capMbS, ideal, ideal * agents);
    System.out.printf("agents run in this JVM, each with its own BlobServer (own port on 127.0.0.1), "
        + "content store and caps, under %s%n", work);
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try {
      Report report = new Report("filesync-fanout");
      long warm = parseSize(warmup);
      if (warm > 0) {
        Swarm w = runSwarm(work.resolve("warmup"), warm, cap, seed + 1, false);
        System.out.printf("warm-up (not measured): %,d bytes to %d agents in %.1f s%n", warm, agents, w.seconds);
        deleteTree(work.resolve("warmup"));
      }
      Swarm swarm = runSwarm(work.resolve("run"), size, cap, seed, true);
      double ratio = swarm.seconds / ideal;
      report.put("seconds", swarm.seconds).put("ideal_s", ideal).put("ratio_vs_ideal", ratio)
          .put("bytes_from_seed", swarm.fromSeed).put("agents", agents).put("bytes", size).put("cap_mb_s", capMbS)
          .put("verified", swarm.verified).put("agents_in_process", true).put("warmup_bytes", warm)
          .put("first_done_s", swarm.firstDone).put("seed_copies", swarm.fromSeed / (double) size)
          .put("chunks_from_seed", swarm.stats.chunksFromSeeds()).put("chunks_from_peers", swarm.stats.chunksFromPeers())
          .put("refused_503", swarm.stats.busy()).put("failed_transfers", swarm.stats.failed())
          .put("dropped_sources", swarm.stats.dropped()).put("seed_refused_503", swarm.seedRefused)
          .put("cpu_s", swarm.cpuSeconds).put("cores", Runtime.getRuntime().availableProcessors())
          .put("loadavg_before", load);
      String summary = String.format("swarm: %d/%d copies verified in %.1f s (first agent done after %.1f s) = "
          + "%.2f x ideal; the seed sent %,d bytes (%.2f copies)%n"
          + "chunks: %,d from the seed, %,d from peers; transfers refused busy %,d (seed %,d), failed %,d; sources dropped %d%n"
          + "CPU: %.0f s over %d cores during the fan-out",
          swarm.verified, agents, swarm.seconds, swarm.firstDone, ratio, swarm.fromSeed, swarm.fromSeed / (double) size,
          swarm.stats.chunksFromSeeds(), swarm.stats.chunksFromPeers(), swarm.stats.busy(), swarm.seedRefused,
          swarm.stats.failed(), swarm.stats.dropped(), swarm.cpuSeconds, Runtime.getRuntime().availableProcessors());
      if (!rsync.equals("skip") && RsyncFanout.installed()) {
        int n = Math.min(rsyncAgents, agents);
        RsyncFanout.Outcome r = RsyncFanout.run(work.resolve("rsync"), swarm.file, n, cap);
        double scaled = r.seconds() * agents / n;
        report.put("rsync_s", scaled).put("ratio_vs_rsync", swarm.seconds / scaled)
            .put("rsync_measured_agents", n).put("rsync_measured_s", r.seconds()).put("rsync_verified", r.verified())
            .put("rsync_scaled", n != agents)
            .put("rsync_setup", "one rsync daemon on 127.0.0.1, --bwlimit " + cap / n / 1024
                + " KiB/s per connection = " + capMbS + " MiB/s total; " + n + " clients at once"
                + (n != agents ? "; time scaled by " + agents + "/" + n : ""));
        summary += String.format("%nrsync: %d clients from one daemon capped at %.1f MiB/s total took %.1f s "
            + "(%d verified)%s -> swarm is %.1fx faster", n, capMbS, r.seconds(), r.verified(),
            n != agents ? String.format("; scaled to %d agents: %.0f s", agents, scaled) : "", scaled / swarm.seconds);
      }
      report.print(summary);
    } finally {
      deleteTree(work);
    }
    return 0;
  }

  /** What the swarm run measured. */
  private record Swarm(Path file, double seconds, double firstDone, long fromSeed, int verified,
      SwarmFetcher.Stats stats, long seedRefused, double cpuSeconds) {}

  private Swarm runSwarm(Path work, long size, long cap, long dataSeed, boolean measured) throws Exception {
    ContentStore origin = new ContentStore(work.resolve("seed"));
    String hash = origin.put(new RandomBytes(size, dataSeed));
    List<AutoCloseable> open = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(agents);
    try {
      BlobServer seedServer = new BlobServer(origin, cap, seedSlots, Duration.ofMillis(queueMs)).hostTracker(new Tracker()).start(0);
      open.add(seedServer);
      List<ContentStore> stores = new ArrayList<>();
      List<SwarmFetcher> fetchers = new ArrayList<>();
      SwarmConfig config = SwarmConfig.defaults().withDownlink(cap);
      if (parallel != null) {
        config = config.withConcurrency(parallel, config.perPeer(), config.perSeed());
      }
      if (perPeer != null) {
        config = config.withConcurrency(config.parallel(), perPeer, config.perSeed());
      }
      if (window != null) {
        config = config.withWindow(window);
      }
      for (int i = 0; i < agents; i++) {
        ContentStore store = new ContentStore(work.resolve("agent-" + i));
        BlobServer server = new BlobServer(store, cap, serverSlots, Duration.ofMillis(queueMs)).start(0);
        open.add(server);
        SwarmFetcher fetcher = new SwarmFetcher(store, server, config, new Random(dataSeed * 1000 + i));
        open.add(fetcher);
        stores.add(store);
        fetchers.add(fetcher);
      }
      List<URI> seeds = List.of(seedServer.uri());
      double cpu0 = processCpuSeconds();
      long t0 = System.nanoTime();
      List<Future<Double>> done = new ArrayList<>();
      for (SwarmFetcher f : fetchers) {
        done.add(threads.submit(() -> {
          f.fetch(hash, seeds);
          return (System.nanoTime() - t0) / 1e9;
        }));
      }
      Thread timelineThread = new Thread(() -> printTimeline(t0, seedServer, stores, hash), "timeline");
      timelineThread.setDaemon(true);
      if (timeline && measured) {
        timelineThread.start();
      }
      long deadline = t0 + TimeUnit.SECONDS.toNanos((long) (size / (double) cap * agents * 2) + 120);
      double first = Double.MAX_VALUE;
      double last = 0;
      for (Future<Double> d : done) {
        try {
          double s = d.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          first = Math.min(first, s);
          last = Math.max(last, s);
        } catch (Exception e) {
          System.out.println("an agent failed: " + e);
        }
      }
      double cpu = processCpuSeconds() - cpu0;
      timelineThread.interrupt();
      long fromSeed = seedServer.bytesSent();
      long[] sum = new long[7];
      for (SwarmFetcher f : fetchers) {
        SwarmFetcher.Stats st = f.stats();
        long[] v = {st.chunksFromSeeds(), st.chunksFromPeers(), st.busy(), st.failed(), st.corrupt(), st.missing(), st.dropped()};
        for (int k = 0; k < sum.length; k++) {
          sum[k] += v[k];
        }
      }
      SwarmFetcher.Stats stats = new SwarmFetcher.Stats(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6]);
      List<Future<Boolean>> checks = new ArrayList<>();
      ExecutorService hashing = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
      for (ContentStore s : stores) {
        checks.add(hashing.submit(() -> s.has(hash) && (!measured || sha256(s.path(hash)).equals(hash))));
      }
      int verified = 0;
      for (Future<Boolean> c : checks) {
        verified += c.get(10, TimeUnit.MINUTES) ? 1 : 0;
      }
      hashing.shutdown();
      return new Swarm(origin.path(hash), last, first == Double.MAX_VALUE ? 0 : first, fromSeed, verified,
          stats, seedServer.refused(), cpu);
    } finally {
      threads.shutdownNow();
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
    }
  }

  /** Every 2 s until interrupted: seconds, MiB the seed sent, chunks held by the agents (min/median/max). */
  private static void printTimeline(long t0, BlobServer seed, List<ContentStore> stores, String hash) {
    for (int tick = 0; tick < 3600; tick++) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
      int[] held = new int[stores.size()];
      int complete = 0;
      for (int i = 0; i < held.length; i++) {
        try {
          held[i] = stores.get(i).has(hash) ? stores.get(i).chunks(hash).chunks().size() : stores.get(i).heldChunks(hash);
          complete += stores.get(i).has(hash) ? 1 : 0;
        } catch (IOException e) {
          held[i] = -1;
        }
      }
      Arrays.sort(held);
      System.out.printf("  t=%5.1f s  seed sent %4d MiB  chunks held min %3d  median %3d  max %3d  complete %d%n",
          (System.nanoTime() - t0) / 1e9, seed.bytesSent() >> 20, held[0], held[held.length / 2],
          held[held.length - 1], complete);
      if (complete == held.length) {
        return;
      }
    }
  }

  private static double processCpuSeconds() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() / 1e9 : 0;
  }

  static long parseSize(String s) {
    String t = s.trim().toLowerCase();
    long unit = switch (t.charAt(t.length() - 1)) {
      case 'k' -> 1L << 10;
      case 'm' -> 1L << 20;
      case 'g' -> 1L << 30;
      default -> 1;
    };
    return (long) (Double.parseDouble(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit);
  }

  /**
   * The file's SHA-256, read past the page cache where the file system allows (on this kind of
   * VM, filling fresh page-cache pages with 8 GB of copies costs more than hashing them).
   */
  static String sha256(Path file) throws IOException {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    ByteBuffer buf = ByteBuffer.allocateDirect((4 << 20) + 65536).alignedSlice(65536).limit(4 << 20);
    byte[] heap = new byte[4 << 20];
    try (FileChannel ch = openUncached(file)) {
      long at = 0;
      while (true) {
        buf.clear().limit(4 << 20);
        int n = ch.read(buf, at);
        if (n <= 0) {
          break;
        }
        buf.flip().get(heap, 0, n);
        d.update(heap, 0, n);
        at += n;
        if (n % 4096 != 0) {
          break;
        }
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static FileChannel openUncached(Path file) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      return FileChannel.open(file, StandardOpenOption.READ);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** {@code size} pseudo-random bytes from {@code seed}, generated as they are read. */
  static final class RandomBytes extends InputStream {
    private final Random random;
    private long left;

    RandomBytes(long size, long seed) {
      this.random = new Random(seed);
      this.left = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      byte[] chunk = new byte[n];
      random.nextBytes(chunk);
      System.arraycopy(chunk, 0, b, off, n);
      left -= n;
      return n;
    }
  }
}
