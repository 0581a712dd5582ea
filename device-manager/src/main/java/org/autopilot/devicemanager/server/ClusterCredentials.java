package org.autopilot.devicemanager.server;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.api.SatelliteService;
import org.autopilot.devicemanager.api.TokenAuthenticator;
import org.autopilot.devicemanager.api.TokenAuthenticator.TokenEntry;

/**
 * The plain credentials of a cluster run on one machine (the demo, tests, benchmarks, the chaos
 * suite): one token per human and machine role, one per satellite service, the secret machine
 * tokens derive from, and the deployment servers' upload token. Kept in a properties file (mode
 * 600); keys missing from it are generated and written back, so a file from an older version
 * gains the new ones.
 */
public final class ClusterCredentials {
  /** Roles with one token each; satellites have one per service instead. */
  private static final List<Role> ROLES = List.of(Role.VIEWER, Role.MACHINE, Role.OPERATOR, Role.ADMIN);
  /** File key prefix of each satellite service's token. */
  private static final String SERVICE_PREFIX = "satellite.";
  private static final String MACHINE_SECRET = "machine-secret";
  private static final String UPLOAD_TOKEN = "deployment-upload";

  private final Map<Role, String> tokens = new EnumMap<>(Role.class);
  private final Map<SatelliteService, String> serviceTokens = new EnumMap<>(SatelliteService.class);
  private final String machineSecret;
  private final String uploadToken;

  private ClusterCredentials(Properties p) {
    ROLES.forEach(r -> tokens.put(r, p.getProperty(r.name().toLowerCase())));
    for (SatelliteService s : SatelliteService.values()) {
      serviceTokens.put(s, p.getProperty(SERVICE_PREFIX + s.label()));
    }
    machineSecret = p.getProperty(MACHINE_SECRET);
    uploadToken = p.getProperty(UPLOAD_TOKEN);
  }

  /** The credentials in {@code file}, generating (and writing back) whatever it lacks. */
  public static ClusterCredentials loadOrCreate(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
    }
    List<String> keys = new ArrayList<>();
    ROLES.forEach(r -> keys.add(r.name().toLowerCase()));
    for (SatelliteService s : SatelliteService.values()) {
      keys.add(SERVICE_PREFIX + s.label());
    }
    keys.add(MACHINE_SECRET);
    keys.add(UPLOAD_TOKEN);
    SecureRandom random = new SecureRandom();
    boolean added = false;
    for (String key : keys) {
      if (p.getProperty(key) == null) {
        p.setProperty(key, TokenAuthenticator.newToken(random));
        added = true;
      }
    }
    if (added) {
      try (Writer w = Files.newBufferedWriter(file)) {
        p.store(w, "autopilot local cluster API tokens (name = role, satellite.<service>) and the "
            + "secret machine tokens derive from; keep private");
      }
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
    }
    return new ClusterCredentials(p);
  }

  /** The hashed token entries a replica's configuration lists for these credentials. */
  public List<TokenEntry> entries() {
    List<TokenEntry> entries = new ArrayList<>();
    tokens.forEach((role, token) -> entries.add(new TokenEntry(role.name().toLowerCase(), role,
        TokenAuthenticator.sha256(token))));
    serviceTokens.forEach((service, token) -> entries.add(new TokenEntry(service.label(),
        Role.SATELLITE, TokenAuthenticator.sha256(token), service.label())));
    return entries;
  }

  /**
   * The plain token of the principal with this role (named after the role); satellites have one
   * token per service: {@link #token(SatelliteService)}.
   */
  public String token(Role role) {
    if (role == Role.SATELLITE) {
      throw new IllegalArgumentException("a satellite token speaks for one service: token(SatelliteService)");
    }
    return tokens.get(role);
  }

  /** The plain token of satellite service {@code service} (principal named after it). */
  public String token(SatelliteService service) {
    return serviceTokens.get(service);
  }

  /** The secret (hex) from which machine tokens are derived. */
  public String machineSecret() {
    return machineSecret;
  }

  /** The token of machine {@code id} (a {@link Role#MACHINE} principal). */
  public String machineToken(String id) {
    return TokenAuthenticator.machineToken(HexFormat.of().parseHex(machineSecret), id);
  }

  /** The token that lets the local deployment servers accept uploads. */
  public String uploadToken() {
    return uploadToken;
  }
}
