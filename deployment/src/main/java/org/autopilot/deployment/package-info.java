/**
 * Deployment servers: weakly consistent replicas of one content-addressed store that holds every
 * file any manifest names. Files are uploaded to any replica; a replica asked for a file it lacks
 * answers 404 at once (the client falls back to another) and fetches it from its peers in the
 * background; a periodic anti-entropy pass copies whatever peers have and it lacks. Which
 * manifest is assigned or active where is the DM's business, never this package's. Depends on
 * filesync.
 */
package org.autopilot.deployment;
