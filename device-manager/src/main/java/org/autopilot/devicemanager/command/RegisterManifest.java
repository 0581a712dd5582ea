package org.autopilot.devicemanager.command;

import org.autopilot.devicemanager.model.ManifestVersion;
import org.autopilot.manifests.Manifest;

/**
 * Registers a manifest version. Versions are immutable: registering the same {@code name@version}
 * again with identical content is a no-op, with different content a conflict.
 *
 * @param manifest the validated document
 * @param origin the commit it came from, or null
 * @param cause why
 */
public record RegisterManifest(Manifest manifest, ManifestVersion.Origin origin, String cause)
    implements DmCommand {}
