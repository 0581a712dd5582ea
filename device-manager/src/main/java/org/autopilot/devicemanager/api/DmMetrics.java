package org.autopilot.devicemanager.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.core.CommandResult;
import org.autopilot.devicemanager.core.Replica;

/** The replica's Prometheus metrics: commands, batches, revision, role, watches and the JVM. */
public final class DmMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter accepted;
  private final Counter rejected;
  private final Counter unavailable;
  private final Timer latency;
  private final DistributionSummary batchSize;

  /** Metrics for one replica. */
  public DmMetrics(Replica replica) {
    registry.config().commonTags("replica", replica.id());
    accepted = Counter.builder("dm_commands_total").tag("result", "accepted")
        .description("Commands answered, by result").register(registry);
    rejected = Counter.builder("dm_commands_total").tag("result", "rejected").register(registry);
    unavailable = Counter.builder("dm_commands_total").tag("result", "unavailable").register(registry);
    latency = Timer.builder("dm_command_seconds")
        .description("Time from a POST's arrival to its answer")
        .publishPercentiles(0.5, 0.99).register(registry);
    batchSize = DistributionSummary.builder("dm_batch_commands")
        .description("Commands per replicated log entry (group commit)").register(registry);
    Gauge.builder("dm_revision", replica, r -> r.ledger().current().revision())
        .description("Fleet revision applied on this replica").register(registry);
    Gauge.builder("dm_machines", replica, r -> r.ledger().current().machines().size())
        .register(registry);
    Gauge.builder("dm_is_leader", replica, r -> r.status().leading() ? 1 : 0).register(registry);
    Gauge.builder("dm_replica_failed", replica, r -> r.failure().isPresent() ? 1 : 0)
        .description("1 once this replica's log could not be written (see /api/v1/status)")
        .register(registry);
    Gauge.builder("dm_writes_refused", replica, r -> r.writesRefused().isPresent() ? 1 : 0)
        .description("1 while this replica refuses writes (disk below its reserve)")
        .register(registry);
    Gauge.builder("dm_open_watches", replica, r -> r.ledger().watch().openWatches())
        .description("Blocking queries waiting right now").register(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** Counts answered commands and the time they took. */
  void commands(List<CommandResult> results, long nanos) {
    for (CommandResult r : results) {
      (r.accepted() ? accepted : rejected).increment();
    }
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts commands that could not be committed. */
  void commandsUnavailable(int n) {
    unavailable.increment(n);
  }

  /** Records the size of one replicated batch. */
  public void batch(int commands) {
    batchSize.record(commands);
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
