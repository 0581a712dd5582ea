package org.autopilot.provisioning.imaging;

/**
 * What a machine shows of its installation, read over SSH (host key pinned) in one session.
 *
 * @param reachable whether a session could be had
 * @param problem why not (unreachable, host key mismatch, login refused), or null
 * @param hostKeyMismatch the machine presented another host key than the DM pinned
 * @param marker the image its last reimage installed, or "" if none
 * @param installed the image whose archive is unpacked, or "" if none
 * @param configSha256 hex SHA-256 of the installed agent configuration, or "" if none
 */
public record Probe(boolean reachable, String problem, boolean hostKeyMismatch, String marker,
    String installed, String configSha256) {
  /** A machine that could not be reached. */
  public static Probe unreachable(String why, boolean mismatch) {
    return new Probe(false, why, mismatch, "", "", "");
  }
}
