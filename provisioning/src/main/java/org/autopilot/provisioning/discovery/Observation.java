package org.autopilot.provisioning.discovery;

import org.autopilot.devicemanager.model.MachineFacts;
import org.autopilot.provisioning.scan.Endpoint;

/**
 * What one SSH endpoint told discovery.
 *
 * @param endpoint where it answered
 * @param hostKey the fingerprint of the host key it presented ({@code SHA256:...}); null if the
 *     key exchange never completed
 * @param machineId the id it answered to {@code machine-id}, or null if it was not read
 * @param facts the facts it answered, or null if not read
 * @param problem why identification stopped short (login refused, a command failed, an answer
 *     that is not an id), or null when {@code machineId} and {@code facts} were read
 */
public record Observation(Endpoint endpoint, String hostKey, String machineId, MachineFacts facts,
    String problem) {

  /** An endpoint identified completely. */
  public static Observation identified(Endpoint e, String hostKey, String machineId, MachineFacts facts) {
    return new Observation(e, hostKey, machineId, facts, null);
  }

  /** An endpoint that answered but could not be identified. */
  public static Observation failed(Endpoint e, String hostKey, String problem) {
    return new Observation(e, hostKey, null, null, problem);
  }
}
