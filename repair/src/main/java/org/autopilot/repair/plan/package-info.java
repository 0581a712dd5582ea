/**
 * What the repair service does, decided without I/O: {@link org.autopilot.repair.plan.RepairPlan}
 * picks the repairs of the DM's queue this replica should take now, and
 * {@link org.autopilot.repair.plan.CommandMap} turns a repair into the command line configured for
 * its machine type and action. Pure functions of their inputs; depends on the DM's model and API
 * records only.
 */
package org.autopilot.repair.plan;
