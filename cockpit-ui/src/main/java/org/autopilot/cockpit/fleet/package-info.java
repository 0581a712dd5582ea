/**
 * The in-memory copy of the fleet (FleetMirror, FleetView) and what it reads from the DM (FleetSource, DmConnection). Plain Java, no Spring: may depend on the DM's client and model only.
 */
package org.autopilot.cockpit.fleet;
