package org.autopilot.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.tls.TrustBundle;
import picocli.CommandLine.Option;

/** Where the DM is and who we are: shared by every command that talks to a running DM. */
public final class DmOptions {
  @Option(names = "--dm", split = ",", paramLabel = "URL",
      description = "DM API URL(s), e.g. http://127.0.0.1:7101/api/v1 (env AUTOPILOT_DM; "
          + "default: the demo's three replicas)")
  List<String> urls;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "API bearer token (env AUTOPILOT_TOKEN; default: the admin token in "
          + "demo-data/credentials.properties)")
  String token;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "PEM bundle of the CAs to trust for https:// URLs (env AUTOPILOT_CA; default: "
          + "the JDK's CAs); hostname verification stays on")
  Path ca;

  /** A client for the chosen DM. */
  DmClient client() throws IOException {
    return new DmClient(urls(), token(), trust(ca));
  }

  /** The CAs of {@code --ca}, else of {@code AUTOPILOT_CA}, else null (the JDK's CAs). */
  static TrustBundle trust(Path ca) throws IOException {
    if (ca != null) {
      return TrustBundle.load(ca, "--ca");
    }
    String env = System.getenv("AUTOPILOT_CA");
    return env == null || env.isBlank() ? null : TrustBundle.load(Path.of(env.trim()), "AUTOPILOT_CA");
  }

  List<String> urls() {
    if (urls != null && !urls.isEmpty()) {
      return urls;
    }
    String env = System.getenv("AUTOPILOT_DM");
    if (env != null && !env.isBlank()) {
      return Arrays.asList(env.split(","));
    }
    return List.of("http://127.0.0.1:7101/api/v1", "http://127.0.0.1:7102/api/v1",
        "http://127.0.0.1:7103/api/v1");
  }

  String token() throws IOException {
    if (token != null) {
      return token;
    }
    return credential("AUTOPILOT_TOKEN", "admin", "API token", "--token");
  }

  /**
   * A secret from environment variable {@code env}, else key {@code key} of the demo's
   * {@code demo-data/credentials.properties}; an error naming {@code what} and {@code option}.
   */
  static String credential(String env, String key, String what, String option) throws IOException {
    String value = System.getenv(env);
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    Path demo = Path.of("demo-data", "credentials.properties");
    if (Files.exists(demo)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(demo)) {
        p.load(r);
      }
      if (p.getProperty(key) != null) {
        return p.getProperty(key);
      }
    }
    throw new IOException("no " + what + ": pass " + option + ", set " + env + ", or run from the "
        + "directory where './autopilot demo' keeps demo-data/");
  }
}
