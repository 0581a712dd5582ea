/**
 * The manifest format: what a machine type runs. A manifest is a plain-text YAML document naming
 * files (by path inside an app directory and SHA-256) and apps (directory, start command,
 * environment, stop timeout, health check). {@link org.autopilot.manifests.ManifestParser} reads
 * one strictly and says what is wrong and where; the records validate themselves, so an invalid
 * manifest cannot exist in memory. Depends on Jackson only; the Device Manager, the deployment
 * service and the app-manager all depend on this module.
 */
package org.autopilot.manifests;
