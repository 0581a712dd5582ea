package org.autopilot.collection.wire;

import java.util.List;
import org.autopilot.collection.model.LogLine;

/**
 * One machine's batch, parsed and checked.
 *
 * @param machine the machine it speaks for
 * @param samples the samples, grouped by series
 * @param logs the log lines (their {@code machine} is {@code machine})
 * @param sampleCount the number of samples over all series
 * @param minT the earliest time of any sample or line, {@code Long.MAX_VALUE} if empty
 */
public record Batch(String machine, List<SeriesSamples> samples, List<LogLine> logs,
    int sampleCount, long minT) {

  /**
   * The samples of one series.
   *
   * @param app the app, empty for machine-level counters
   * @param counter the counter name
   * @param times epoch milliseconds, as many as {@code values}
   * @param values finite values
   */
  public record SeriesSamples(String app, String counter, long[] times, double[] values) {}
}
