package org.autopilot.collection.model;

/**
 * A counter as the API lists it.
 *
 * @param machine the machine; empty in the fleet-wide list
 * @param app the app; empty for machine-level counters and in the fleet-wide list
 * @param counter the counter name
 */
public record Counter(String machine, String app, String counter) {}
