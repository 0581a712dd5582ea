package org.autopilot.collection.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.autopilot.collection.wire.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository contract on an embedded H2 file database, plus what is H2's own. */
class H2StoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  DatabaseConfig database() {
    return DatabaseConfig.h2(dir.resolve("collection"));
  }

  @Test
  void dataSurvivesAReopen() {
    long t = T0.toEpochMilli();
    put("m1", "", "c", new long[] {t}, new double[] {7});
    int id = store.seriesId("m1", "", "c");
    store.close();
    store = new CollectionStore(database());
    assertThat(store.seriesId("m1", "", "c")).isEqualTo(id);
    assertThat(store.rowCounts()).containsEntry("samples", 1L);
  }

  @Test
  void twoStoresOnOneFileAgreeOnSeriesIds() {
    try (CollectionStore other = new CollectionStore(database())) {
      int a = other.seriesId("m9", "", "x");
      assertThat(store.seriesId("m9", "", "x")).isEqualTo(a);
      int b = store.seriesId("m9", "", "y");
      assertThat(other.seriesId("m9", "", "y")).isEqualTo(b);
      other.store(List.of(new CollectionStore.Ready(new Batch("m9", List.of(new Batch.SeriesSamples("", "y",
          new long[] {T0.toEpochMilli()}, new double[] {1})), List.of(), 1, T0.toEpochMilli()),
          new int[] {b}, Long.MIN_VALUE)));
      assertThat(store.rowCounts()).containsEntry("samples", 1L);
    }
  }

  @Test
  void safeUrlHidesPasswords() {
    assertThat(new DatabaseConfig("jdbc:postgresql://db:5432/c?user=u&password=secret&ssl=true", "u", "", 4)
        .safeUrl()).isEqualTo("jdbc:postgresql://db:5432/c?user=u&password=***&ssl=true");
  }
}
