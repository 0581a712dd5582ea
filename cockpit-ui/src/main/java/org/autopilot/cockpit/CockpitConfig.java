package org.autopilot.cockpit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import org.autopilot.cockpit.action.OperatorActions;
import org.autopilot.cockpit.collection.CollectionClient;
import org.autopilot.cockpit.fleet.CommandSink;
import org.autopilot.cockpit.fleet.DmConnection;
import org.autopilot.cockpit.fleet.FleetMirror;
import org.autopilot.cockpit.fleet.FleetSource;
import org.autopilot.tls.TlsConfigException;
import org.autopilot.tls.TrustBundle;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires Cockpit: the DM connection (when configured), the fleet mirror, the collection client. */
@Configuration
public class CockpitConfig {

  /** The DM, when {@code autopilot.dm.urls} is set. */
  @Bean(destroyMethod = "close")
  @ConditionalOnExpression("!'${autopilot.dm.urls:}'.isBlank()")
  DmConnection dmConnection(CockpitProperties props) {
    if (props.dm().tokenFile() == null) {
      throw new IllegalStateException("autopilot.dm.token-file is not set: Cockpit needs its own DM "
          + "token (role operator) to read the fleet and act for its users");
    }
    return new DmConnection(props.dm().urls(), readToken(props.dm().tokenFile(), "autopilot.dm.token-file"),
        trust(props));
  }

  /** The mirror of the fleet, started at once. */
  @Bean(destroyMethod = "close")
  FleetMirror fleetMirror(Optional<FleetSource> source, CockpitProperties props) {
    var m = props.mirror();
    FleetMirror.Settings s = new FleetMirror.Settings(FleetMirror.Settings.DEFAULTS.watchWait(),
        m.minInterval(), m.fullEvery(), m.keepEvents(), FleetMirror.Settings.DEFAULTS.keepDecisions(),
        FleetMirror.Settings.DEFAULTS.maxTouched());
    return new FleetMirror(source.orElse(null), s, InstantSource.system()).start();
  }

  /** Operator actions: to the DM, or refused when none is configured. */
  @Bean
  OperatorActions operatorActions(Optional<CommandSink> sink) {
    return new OperatorActions(sink.orElse(null));
  }

  /** The collection service's query API (maybe not configured). */
  @Bean
  CollectionClient collectionClient(CockpitProperties props) {
    var c = props.collection();
    String token = c.tokenFile() == null ? null : readToken(c.tokenFile(), "autopilot.collection.token-file");
    return new CollectionClient(c.urls(), token, c.timeout(), trust(props));
  }

  /** The CAs of {@code autopilot.ca-file}, or null (the JDK's CAs); a bad file stops the start. */
  static TrustBundle trust(CockpitProperties props) {
    try {
      return TrustBundle.loadIfGiven(props.caFile(), "autopilot.ca-file");
    } catch (TlsConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static String readToken(Path file, String key) {
    try {
      String t = Files.readString(file).trim();
      if (t.isEmpty()) {
        throw new IllegalStateException(key + " " + file + " is empty");
      }
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(key + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
