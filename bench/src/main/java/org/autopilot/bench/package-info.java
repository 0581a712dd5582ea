/**
 * Benchmarks, run by {@code ./autopilot bench NAME}: each prints a human summary and, as its
 * last line, one JSON object with {@code "bench": NAME}, its figures and the ratio to the
 * baseline measured in the same run. Loopback only; every loop bounded in time and count.
 * Never part of the test suite.
 */
package org.autopilot.bench;
