/**
 * Events: accepted facts about the fleet, produced by
 * {@link org.autopilot.devicemanager.core.FleetStateMachine#decide} and the only input of
 * {@code apply}. Every event carries its revision, the leader-stamped time, the actor and the
 * cause, so the event stream is the audit trail. JSON with a {@code type}; types are only added.
 */
package org.autopilot.devicemanager.event;
