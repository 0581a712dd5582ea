/**
 * A small client of a collection replica's read API (counters, series, logs, status), used by
 * the command line. Depends on {@code model} and the JDK's HTTP client.
 */
package org.autopilot.collection.client;
