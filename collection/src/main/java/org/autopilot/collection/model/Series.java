package org.autopilot.collection.model;

import java.util.List;

/**
 * One series as the query API returns it.
 *
 * @param machine the machine
 * @param app the app, empty for machine-level counters
 * @param counter the counter
 * @param step the tier the points come from ({@code raw}, {@code minute}, {@code hour})
 * @param bucketMs the width of one point's bucket in milliseconds (0 for raw points); a
 *     multiple of the tier's width when a long range is thinned to about 1,000 points
 * @param points oldest first
 */
public record Series(String machine, String app, String counter, String step, long bucketMs,
    List<Point> points) {}
