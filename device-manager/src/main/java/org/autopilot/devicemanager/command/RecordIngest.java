package org.autopilot.devicemanager.command;

import java.util.List;
import org.autopilot.manifests.ManifestRef;

/**
 * The deployment service reports what it made of one commit of a manifest source.
 *
 * @param source the source's name (repository and branch)
 * @param commit the commit id
 * @param accepted true if every manifest it changed was valid and is registered
 * @param manifests the versions it registered (accepted commits)
 * @param errors why it was rejected, one line per problem (at most 100, each at most 1000 characters)
 * @param cause why (usually the commit's subject)
 */
public record RecordIngest(String source, String commit, boolean accepted,
    List<ManifestRef> manifests, List<String> errors, String cause) implements DmCommand {}
