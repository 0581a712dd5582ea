package org.autopilot.collection.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One point of a series, written in JSON as {@code [t, avg, min, max]}.
 *
 * @param t the bucket's start (raw: the sample's time), epoch milliseconds
 * @param avg mean of the samples in the bucket (raw: the value)
 * @param min smallest sample in the bucket
 * @param max largest sample in the bucket
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"t", "avg", "min", "max"})
public record Point(long t, double avg, double min, double max) {}
