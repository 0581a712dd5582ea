package org.autopilot.launcher;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.server.DmConfig;
import org.autopilot.devicemanager.server.DmServer;
import org.autopilot.tls.TlsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code autopilot dm --config dm.yaml}: runs one Device Manager replica until stopped. */
@Command(name = "dm", mixinStandardHelpOptions = true,
    description = "Runs one Device Manager replica (see docs/device-manager.md for dm.yaml).")
final class DmCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "dm.yaml")
  Path config;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "PEM certificate chain for the API (with --tls-key; overrides tls: in dm.yaml)")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM PKCS#8 private key for the API")
  Path tlsKey;

  @Override
  public Integer call() throws Exception {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    DmConfig c = DmConfig.load(config, tlsCert == null ? null
        : TlsSettings.pem(tlsCert.toAbsolutePath(), tlsKey.toAbsolutePath()));
    DmServer server = DmServer.start(c, InstantSource.system());
    return Foreground.runUntilStopped("dm", server,
        "DM API: " + server.apiUrl() + "  (replica " + c.id() + ", data " + c.dataDir() + ")");
  }
}
