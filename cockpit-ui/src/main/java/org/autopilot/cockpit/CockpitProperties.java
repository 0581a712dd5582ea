package org.autopilot.cockpit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cockpit's settings ({@code autopilot.*} Spring properties: command-line {@code --key=value},
 * {@code application.properties} beside the jar, or environment variables).
 *
 * @param dm where the Device Manager is
 * @param collection where the collection service is (optional)
 * @param usersFile the users file: one {@code name role bcrypt-hash} per line
 * @param mirror how the in-memory copy of the fleet is kept
 * @param caFile PEM bundle of the CAs trusted for {@code https://} DM and collection URLs
 *     ({@code autopilot.ca-file}); absent: the JDK's CAs. Cockpit's own HTTPS is Spring Boot's
 *     {@code server.ssl.*} (see {@code docs/security.md})
 */
@ConfigurationProperties("autopilot")
public record CockpitProperties(Dm dm, Collection collection, Path usersFile, Mirror mirror, Path caFile) {

  /** Normalises absent sections. */
  public CockpitProperties {
    dm = dm == null ? new Dm(List.of(), null) : dm;
    collection = collection == null ? new Collection(List.of(), null, Duration.ofSeconds(3)) : collection;
    mirror = mirror == null ? new Mirror(Duration.ofMillis(250), Duration.ofMinutes(5), 5000) : mirror;
  }

  /**
   * The DM.
   *
   * @param urls every replica's API URL ({@code http://127.0.0.1:7101/api/v1}, ...)
   * @param tokenFile a file holding Cockpit's DM token (role operator: it acts for its users)
   */
  public record Dm(List<String> urls, Path tokenFile) {
    /** Normalises. */
    public Dm {
      urls = urls == null ? List.of() : urls;
    }
  }

  /**
   * The collection service.
   *
   * @param urls its replicas' base URLs ({@code http://127.0.0.1:7601}); empty: not configured
   * @param tokenFile a file holding the bearer token for its query API
   * @param timeout per-request timeout
   */
  public record Collection(List<String> urls, Path tokenFile, @DefaultValue("3s") Duration timeout) {
    /** Normalises. */
    public Collection {
      urls = urls == null ? List.of() : urls;
      timeout = timeout == null ? Duration.ofSeconds(3) : timeout;
    }
  }

  /**
   * The fleet mirror.
   *
   * @param minInterval least time between two updates (bursts are coalesced)
   * @param fullEvery how often everything is read again as a safety net
   * @param keepEvents audit events kept in memory for the audit page
   */
  public record Mirror(@DefaultValue("250ms") Duration minInterval,
      @DefaultValue("5m") Duration fullEvery, @DefaultValue("5000") int keepEvents) {}
}
