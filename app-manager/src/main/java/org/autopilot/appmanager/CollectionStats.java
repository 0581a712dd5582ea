package org.autopilot.appmanager;

import java.net.URI;

/**
 * What the agent's shipping to the collection service did so far.
 *
 * @param batches batches the service took
 * @param samples samples in them
 * @param lines log lines in them
 * @param droppedSamples samples dropped from a full buffer (the service was away too long)
 * @param droppedLines lines dropped from a full buffer
 * @param refusedBatches batches the service refused as malformed (dropped)
 * @param bufferedSamples samples waiting now
 * @param bufferedLines lines waiting now
 * @param lastUrl the URL that last took a batch, or null
 * @param lastError why the last attempt failed, or empty
 */
public record CollectionStats(long batches, long samples, long lines, long droppedSamples,
    long droppedLines, long refusedBatches, int bufferedSamples, int bufferedLines, URI lastUrl,
    String lastError) {}
