package org.autopilot.launcher;

import org.autopilot.bench.CockpitPagesBench;
import org.autopilot.bench.CollectionIngestBench;
import org.autopilot.bench.DmCommitBench;
import org.autopilot.bench.DmFailoverBench;
import org.autopilot.bench.DmWatchBench;
import org.autopilot.bench.RepairLatencyBench;
import org.autopilot.bench.RolloutBench;
import org.autopilot.bench.FilesyncFanoutBench;
import org.autopilot.bench.WatchdogIntakeBench;
import picocli.CommandLine.Command;

/** {@code autopilot bench NAME}: benchmarks (never part of the test suite). */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Runs a benchmark; the last line printed is one JSON object with its figures.",
    subcommands = {DmCommitBench.class, DmFailoverBench.class, DmWatchBench.class,
        FilesyncFanoutBench.class, RolloutBench.class, RepairLatencyBench.class,
        WatchdogIntakeBench.class, CockpitPagesBench.class, CollectionIngestBench.class})
final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
