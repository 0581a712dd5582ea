package org.autopilot.devicemanager.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Bearer tokens, stored only as SHA-256 hashes. A token is 32 random bytes, hex-encoded; the
 * configuration holds {@code sha256(token)} with the principal's name and role.
 */
public final class TokenAuthenticator {
  private final Map<String, Principal> byHash;

  /**
   * A configured token.
   *
   * @param name principal name, recorded as the actor of its commands
   * @param role its role
   * @param sha256 hex SHA-256 of the token
   */
  public record TokenEntry(String name, Role role, String sha256) {}

  /** Authenticates the given tokens; at least one is required. */
  public TokenAuthenticator(List<TokenEntry> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no API tokens configured: every request would be refused");
    }
    this.byHash = tokens.stream().collect(Collectors.toUnmodifiableMap(
        t -> t.sha256().toLowerCase(), t -> new Principal(t.name(), t.role()), (a, b) -> {
          throw new IllegalArgumentException("two tokens share one hash: " + a.name() + ", " + b.name());
        }));
  }

  /** The principal for an {@code Authorization} header value, if it carries a known token. */
  public Optional<Principal> authenticate(String authorizationHeader) {
    if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
      return Optional.empty();
    }
    String token = authorizationHeader.substring(7).trim();
    if (token.isEmpty() || token.length() > 256) {
      return Optional.empty();
    }
    return Optional.ofNullable(byHash.get(sha256(token)));
  }

  /** Hex SHA-256 of a token, as stored in configuration. */
  public static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** A fresh random token (32 bytes, hex). */
  public static String newToken(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
