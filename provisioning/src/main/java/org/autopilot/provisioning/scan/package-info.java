/**
 * Scan targets (CIDR blocks and port ranges) and the scanner that walks their endpoints with
 * bounded concurrency, a connect timeout and a rate limit. Knows nothing of SSH or the DM.
 */
package org.autopilot.provisioning.scan;
