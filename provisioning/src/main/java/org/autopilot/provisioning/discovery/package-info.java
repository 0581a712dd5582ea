/**
 * Discovery: identifying what answers at an endpoint (machine id and facts over SSH, host key
 * recorded), deciding against the DM's machines what it is ({@link
 * org.autopilot.provisioning.discovery.DiscoveryPlan}, pure) and reporting new machines,
 * placements and host key trouble to the DM.
 */
package org.autopilot.provisioning.discovery;
