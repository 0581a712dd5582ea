/**
 * Imaging: what a machine shows of its installation ({@link
 * org.autopilot.provisioning.imaging.Probe}), the provisioning steps recorded in the DM read as
 * rounds ({@link org.autopilot.provisioning.imaging.Round}), the pure plan of the next step
 * ({@link org.autopilot.provisioning.imaging.ImagingPlan}) and the SSH steps that carry it out
 * ({@link org.autopilot.provisioning.imaging.Installer}): reimage, fetch from the deployment
 * servers and verify on the machine, unpack, install the agent's configuration, restart.
 */
package org.autopilot.provisioning.imaging;
