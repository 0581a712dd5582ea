package org.autopilot.cockpit.fleet;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;
import org.autopilot.devicemanager.model.ManifestVersion;

/**
 * A registered manifest version as the DM lists it: enough to say which commit is behind it.
 *
 * @param ref {@code name@version}
 * @param machineType the type it is for
 * @param digest SHA-256 of its canonical document
 * @param files how many files it has
 * @param bytes their total size
 * @param apps its apps' names
 * @param origin the commit it came from, or null when registered by hand
 * @param registeredAt leader time it was registered
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ManifestSummary(String ref, String machineType, String digest, int files, long bytes,
    List<String> apps, ManifestVersion.Origin origin, Instant registeredAt) {}
