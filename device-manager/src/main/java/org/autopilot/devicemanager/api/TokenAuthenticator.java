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
  private final byte[] machineSecret;
  private static final String MACHINE_PREFIX = "machine:";

  /**
   * A configured token.
   *
   * @param name principal name, recorded as the actor of its commands
   * @param role its role
   * @param sha256 hex SHA-256 of the token
   * @param service for a {@link Role#SATELLITE} token, the service it speaks for (required
   *     then, e.g. {@code provisioning}); absent for every other role
   */
  public record TokenEntry(String name, Role role, String sha256, String service) {
    /** A token of a role other than {@link Role#SATELLITE}. */
    public TokenEntry(String name, Role role, String sha256) {
      this(name, role, sha256, null);
    }

    /** The principal this token authenticates as; an error naming the token if it cannot be one. */
    public Principal principal() {
      try {
        return new Principal(name, role, service == null ? null : SatelliteService.parse(service));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("token " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /** Authenticates the given tokens; at least one is required. */
  public TokenAuthenticator(List<TokenEntry> tokens) {
    this(tokens, null);
  }

  /**
   * Authenticates the given tokens and, when {@code machineSecretHex} is set, per-machine tokens
   * {@code machine:<id>:<hex HMAC-SHA256(secret, id)>} as principal {@code <id>} with role
   * {@link Role#MACHINE}: one secret serves any number of machines, and a machine's token lets
   * it speak only for itself.
   */
  public TokenAuthenticator(List<TokenEntry> tokens, String machineSecretHex) {
    this.machineSecret = machineSecretHex == null ? null : HexFormat.of().parseHex(machineSecretHex);
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no API tokens configured: every request would be refused");
    }
    this.byHash = tokens.stream().collect(Collectors.toUnmodifiableMap(
        t -> t.sha256().toLowerCase(), TokenEntry::principal, (a, b) -> {
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
    if (token.startsWith(MACHINE_PREFIX) && machineSecret != null) {
      int colon = token.lastIndexOf(':');
      String id = token.substring(MACHINE_PREFIX.length(), Math.max(MACHINE_PREFIX.length(), colon));
      byte[] expected = machineToken(machineSecret, id).getBytes(StandardCharsets.UTF_8);
      return MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8)) && !id.isEmpty()
          ? Optional.of(new Principal(id, Role.MACHINE)) : Optional.empty();
    }
    return Optional.ofNullable(byHash.get(sha256(token)));
  }

  /** The token of machine {@code id} under {@code secret} (what provisioning installs on it). */
  public static String machineToken(byte[] secret, String id) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
      return MACHINE_PREFIX + id + ":"
          + HexFormat.of().formatHex(mac.doFinal(id.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
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
