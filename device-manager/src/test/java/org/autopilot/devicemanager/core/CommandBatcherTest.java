package org.autopilot.devicemanager.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.autopilot.devicemanager.command.DefineScaleUnit;
import org.autopilot.devicemanager.command.Proposal;
import org.junit.jupiter.api.Test;

class CommandBatcherTest {
  @Test
  void concurrentCommandsShareLogEntriesAndEachGetsItsOwnAnswer() throws Exception {
    FleetLedger ledger = new FleetLedger(10_000);
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    Executor slowDisk = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
    CommandBatcher batcher = new CommandBatcher(batch -> {
      batchSizes.add(batch.size());
      return CompletableFuture.supplyAsync(() -> ledger.apply(Instant.EPOCH, batch), slowDisk);
    }, 500, 1);

    List<CompletableFuture<CommandResult>> answers = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      answers.add(batcher.submit(new Proposal("t", new DefineScaleUnit("su-" + i, ""))));
    }
    for (int i = 0; i < 300; i++) {
      CommandResult r = answers.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.accepted()).isTrue();
      assertThat(((org.autopilot.devicemanager.event.ScaleUnitDefined) r.events().get(0))
          .scaleUnit().name()).isEqualTo("su-" + i);
    }
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
    assertThat(batchSizes.size()).as("group commit: far fewer entries than commands")
        .isLessThan(10);
    ledger.close();
  }

  @Test
  void aFailedBatchFailsEveryCommandInItAndTheNextBatchStillGoes() throws Exception {
    List<Integer> calls = new CopyOnWriteArrayList<>();
    CommandBatcher batcher = new CommandBatcher(batch -> {
      calls.add(batch.size());
      return calls.size() == 1
          ? CompletableFuture.failedFuture(new IllegalStateException("no leader"))
          : CompletableFuture.completedFuture(batch.stream()
              .map(p -> new CommandResult(true, 1, null, null, null)).toList());
    }, 10, 1);
    CompletableFuture<CommandResult> first = batcher.submit(new Proposal("t", new DefineScaleUnit("a", "")));
    assertThat(first).isCompletedExceptionally();
    assertThat(batcher.submit(new Proposal("t", new DefineScaleUnit("b", ""))).get().accepted())
        .isTrue();
  }
}
