/**
 * The collection's vocabulary: counter keys, samples, aggregated points, series and log lines,
 * as plain immutable records. Depends on nothing but the JDK.
 */
package org.autopilot.collection.model;
