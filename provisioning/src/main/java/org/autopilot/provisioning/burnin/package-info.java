/**
 * Burn-in: the pure judgement of a freshly imaged machine from the watchdog verdicts the DM
 * recorded and its audit trail ({@link org.autopilot.provisioning.burnin.BurnInPlan}).
 */
package org.autopilot.provisioning.burnin;
