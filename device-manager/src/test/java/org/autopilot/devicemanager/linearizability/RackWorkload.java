package org.autopilot.devicemanager.linearizability;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.client.DmClientException;
import org.autopilot.devicemanager.command.PlaceMachine;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Decision.Rejection;
import org.autopilot.devicemanager.linearizability.CasRegister.Cas;
import org.autopilot.devicemanager.linearizability.CasRegister.Input;
import org.autopilot.devicemanager.linearizability.CasRegister.Output;
import org.autopilot.devicemanager.linearizability.CasRegister.Read;
import org.autopilot.devicemanager.linearizability.CasRegister.Write;
import org.autopilot.devicemanager.model.MachineId;
import org.autopilot.devicemanager.server.LocalCluster;

/**
 * Concurrent clients, each with its own {@link DmClient} and seeded {@link Random}, reading and
 * writing the rack labels of a few machines for a bounded time, every operation recorded with
 * {@link System#nanoTime()} at invocation and return. A write is an unconditional
 * {@code PlaceMachine}; a compare-and-set is a {@code PlaceMachine} with the version a client saw
 * together with the value (from a read or its own accepted write); a read is
 * {@code GET /machines/{id}}, with {@code consistent=true} unless the settings say otherwise.
 * A write answered 503, 5xx or not at all is recorded with an unknown outcome; a failed read is
 * left out (it changed nothing).
 */
final class RackWorkload {
  /**
   * What to run.
   *
   * @param clients concurrent clients, at least 1
   * @param keys machines (already registered) whose racks are the registers
   * @param duration how long clients start new operations
   * @param seed seeds every client's choices and backoff
   * @param consistentReads whether reads ask for {@code consistent=true}
   * @param staleReads fault injection: a client answers a read from its own last read whenever a
   *     write acknowledged after that read makes this certainly wrong (a broken "DM")
   */
  record Settings(int clients, List<String> keys, Duration duration, long seed,
      boolean consistentReads, boolean staleReads) {}

  /**
   * What happened.
   *
   * @param history every recorded operation
   * @param acknowledged per key, every value whose write or compare-and-set was accepted
   * @param injected reads the fault injector answered stale
   * @param failedReads reads that got no answer (not in the history)
   */
  record Report(List<Operation<Input, Output>> history, Map<String, Set<String>> acknowledged,
      int injected, int failedReads) {
    /** Operations that ended with {@code ack}. */
    long count(CasRegister.Ack ack) {
      return history.stream().filter(o -> o.output().ack() == ack).count();
    }
  }

  /** A value a client saw, with the machine version it was seen at and when it saw it. */
  private record Seen(long version, String value, long at) {}

  private final LocalCluster cluster;
  private final Settings settings;
  private final ConcurrentLinkedQueue<Operation<Input, Output>> history = new ConcurrentLinkedQueue<>();
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  /** Per key, the latest invocation time of a write already acknowledged (for the injector). */
  private final Map<String, LongAccumulator> ackedWriteCalls = new ConcurrentHashMap<>();
  private final AtomicInteger injected = new AtomicInteger();
  private final AtomicInteger failedReads = new AtomicInteger();

  RackWorkload(LocalCluster cluster, Settings settings) {
    this.cluster = cluster;
    this.settings = settings;
    for (String key : settings.keys()) {
      acknowledged.put(key, ConcurrentHashMap.newKeySet());
      ackedWriteCalls.put(key, new LongAccumulator(Math::max, Long.MIN_VALUE));
    }
  }

  /** Runs every client to the end of the duration and waits for their last operations. */
  Report run() throws InterruptedException {
    long end = System.nanoTime() + settings.duration().toNanos();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 0; i < settings.clients(); i++) {
      int client = i;
      Thread t = new Thread(() -> {
        try {
          client(client, end);
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "lin-client-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      // an operation takes at most the client's timeout (4 s) times its attempts (3)
      t.join(settings.duration().toMillis() + 30_000);
      if (t.isAlive()) {
        throw new AssertionError(t.getName() + " did not finish");
      }
    }
    if (!errors.isEmpty()) {
      throw new AssertionError("a client failed: " + errors.get(0), errors.get(0));
    }
    return new Report(List.copyOf(history), acknowledged, injected.get(), failedReads.get());
  }

  private void client(int id, long end) {
    Random random = new Random(settings.seed() * 1_000_003 + id);
    List<String> urls = new ArrayList<>(cluster.apiUrls());
    java.util.Collections.rotate(urls, -id); // clients read from different replicas
    Map<String, Seen> seen = new HashMap<>();
    Map<String, Seen> lastRead = new HashMap<>();
    int n = 0;
    try (DmClient dm = new DmClient(urls, cluster.token(Role.OPERATOR), new Random(settings.seed() + id),
        Duration.ofSeconds(4), 3)) {
      while (System.nanoTime() - end < 0) {
        String key = settings.keys().get(random.nextInt(settings.keys().size()));
        double p = random.nextDouble();
        if (p < 0.2) {
          write(dm, id, key, 0, null, "c" + id + "-" + ++n, seen);
        } else if (p < 0.5 && seen.containsKey(key)) {
          Seen s = seen.get(key);
          write(dm, id, key, s.version(), s.value(), "c" + id + "-" + ++n, seen);
        } else {
          read(dm, id, key, seen, lastRead);
        }
      }
    }
  }

  private void read(DmClient dm, int id, String key, Map<String, Seen> seen, Map<String, Seen> lastRead) {
    Seen cached = lastRead.get(key);
    // Decided before the call is stamped: the write it looks at returned before this read began.
    boolean inject = settings.staleReads() && cached != null
        && ackedWriteCalls.get(key).get() > cached.at();
    long call = System.nanoTime();
    JsonNode m;
    try {
      m = dm.getJson("machines/" + key + (settings.consistentReads() ? "?consistent=true" : ""));
    } catch (DmClientException e) {
      failedReads.incrementAndGet();
      return;
    }
    long ret = System.nanoTime();
    String value = m.get("rack").asText();
    if (inject) {
      injected.incrementAndGet();
      value = cached.value();
    } else {
      Seen s = new Seen(m.get("version").asLong(), value, ret);
      seen.put(key, s);
      lastRead.put(key, s);
    }
    history.add(new Operation<>(id, new Read(key), call, Output.read(value), ret));
  }

  /** An unconditional write when {@code expectedVersion} is 0, else a compare-and-set. */
  private void write(DmClient dm, int id, String key, long expectedVersion, String expected,
      String value, Map<String, Seen> seen) {
    Input input = expectedVersion == 0 ? new Write(key, value) : new Cas(key, expected, value);
    long call = System.nanoTime();
    CommandResult r;
    try {
      r = dm.send(new PlaceMachine(MachineId.of(key), expectedVersion, null, null, value,
          "linearizability check"));
    } catch (DmClientException e) {
      if (e.status() != 0 && e.status() < 500) {
        throw e;
      }
      history.add(new Operation<>(id, input, call, Output.UNKNOWN, Operation.NEVER));
      seen.remove(key);
      return;
    }
    long ret = System.nanoTime();
    if (r.accepted()) {
      history.add(new Operation<>(id, input, call, Output.OK, ret));
      acknowledged.get(key).add(value);
      ackedWriteCalls.get(key).accumulate(call);
      seen.put(key, new Seen(r.revision(), value, ret));
    } else if (r.code() == Rejection.STALE && expectedVersion != 0) {
      history.add(new Operation<>(id, input, call, Output.STALE, ret));
      seen.remove(key);
    } else {
      throw new AssertionError("unexpected answer to " + input + ": " + r);
    }
  }
}
