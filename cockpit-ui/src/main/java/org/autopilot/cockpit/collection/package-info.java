/**
 * The client of the collection service's query API (counters, series, logs); answers or says why there is none.
 */
package org.autopilot.cockpit.collection;
