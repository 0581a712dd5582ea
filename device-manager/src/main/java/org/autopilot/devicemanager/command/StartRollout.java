package org.autopilot.devicemanager.command;

import org.autopilot.manifests.ManifestRef;

/**
 * Starts rolling a registered manifest version out to its machine type: every machine of the
 * type is asked to pre-load it, then scale units are activated one at a time (see
 * {@link AdvanceRollout}). Refused while another rollout of the type is open.
 *
 * @param manifest a registered version that names its machine type
 * @param cause why (e.g. the commit that brought it)
 */
public record StartRollout(ManifestRef manifest, String cause) implements DmCommand {}
