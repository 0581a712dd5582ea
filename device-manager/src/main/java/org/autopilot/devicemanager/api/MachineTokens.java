package org.autopilot.devicemanager.api;

import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.autopilot.devicemanager.api.TokenAuthenticator.TokenEntry;

/**
 * Checks machine tokens ({@code machine:<id>:<hex HMAC-SHA256(secret, id)>}) with the DM's own
 * {@link TokenAuthenticator}; no other token is accepted. A token that checked out once is
 * remembered per machine and later compared in constant time, which saves an HMAC per report
 * (the watchdog service and the collection service take every machine's reports with it).
 */
public final class MachineTokens {
  private static final String PREFIX = "machine:";
  private final TokenAuthenticator auth;
  private final ConcurrentHashMap<String, String> verified = new ConcurrentHashMap<>();

  public MachineTokens(String machineSecretHex) {
    // TokenAuthenticator wants at least one named token; this one's plain text is never kept,
    // so in practice only machine tokens authenticate.
    TokenEntry nobody = new TokenEntry("nobody", Role.VIEWER,
        TokenAuthenticator.sha256(TokenAuthenticator.newToken(new SecureRandom())));
    this.auth = new TokenAuthenticator(List.of(nobody), machineSecretHex);
  }

  /** The machine an {@code Authorization} header speaks for, if it carries a valid machine token. */
  public Optional<String> machine(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer " + PREFIX)) {
      return Optional.empty();
    }
    String token = authorization.substring(7).trim();
    int colon = token.lastIndexOf(':');
    if (colon <= PREFIX.length()) {
      return Optional.empty();
    }
    String id = token.substring(PREFIX.length(), colon);
    String known = verified.get(id);
    if (known != null && sameInConstantTime(known, token)) {
      return Optional.of(id);
    }
    Optional<Principal> p = auth.authenticate(authorization);
    if (p.isEmpty() || p.get().role() != Role.MACHINE) {
      return Optional.empty();
    }
    verified.put(p.get().name(), token);
    return Optional.of(p.get().name());
  }

  /** Whether two tokens are equal, taking as long whatever the first difference (like MessageDigest.isEqual). */
  static boolean sameInConstantTime(String a, String b) {
    int diff = a.length() ^ b.length();
    for (int i = 0; i < b.length(); i++) {
      diff |= a.charAt(i % Math.max(1, a.length())) ^ b.charAt(i);
    }
    return diff == 0;
  }
}
