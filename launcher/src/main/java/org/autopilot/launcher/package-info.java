/**
 * The {@code autopilot} command line (picocli): runs a DM replica or the whole demo, runs
 * benchmarks, and talks to a running Device Manager through its client library.
 */
package org.autopilot.launcher;
