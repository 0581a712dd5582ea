package org.autopilot.devicemanager.model;

import java.time.Instant;
import java.util.List;
import org.autopilot.manifests.ManifestRef;

/**
 * What the deployment service made of one manifest source (a git repository and branch).
 *
 * @param source the source's name, e.g. {@code main@/srv/manifests.git}
 * @param lastCommit the newest commit ingested (accepted or rejected); ingest resumes after it
 * @param acceptedCommit the newest accepted commit, or null
 * @param acceptedManifests the manifest versions that commit registered
 * @param rejectedCommit the newest rejected commit since the last accepted one, or null
 * @param errors why it was rejected: one line per problem, file and line included
 * @param at leader time of the last change
 * @param version DM revision of the last change
 */
public record IngestStatus(String source, String lastCommit, String acceptedCommit,
    List<ManifestRef> acceptedManifests, String rejectedCommit, List<String> errors, Instant at,
    long version) {
  /** Copies the lists. */
  public IngestStatus {
    acceptedManifests = acceptedManifests == null ? List.of() : List.copyOf(acceptedManifests);
    errors = errors == null ? List.of() : List.copyOf(errors);
  }
}
