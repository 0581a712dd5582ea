package org.autopilot.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cockpit as a child process: {@code java -jar cockpit-ui/target/cockpit.jar --key=value ...}.
 * Cockpit is a Spring Boot application on Tomcat, which cannot share a classpath with the DM's
 * Jetty 11, so it always runs in its own JVM. The demo and {@code autopilot cockpit serve} use
 * this; its output goes to a log file.
 */
public final class CockpitProcess implements AutoCloseable {
  private final Process process;
  private final String url;
  private final Path log;

  private CockpitProcess(Process process, String url, Path log) {
    this.process = process;
    this.url = url;
    this.log = log;
  }

  /**
   * What Cockpit is started with.
   *
   * @param port its HTTP port on 127.0.0.1 (7701 by default)
   * @param dmUrls every DM replica's API URL
   * @param dmTokenFile a file holding Cockpit's DM token (role operator or admin)
   * @param collectionUrls the collection service's URLs; empty: none
   * @param collectionTokenFile a file holding its query token, or null
   * @param usersFile the users file ({@code name role bcrypt-hash} per line)
   * @param heap the JVM's -Xmx, e.g. {@code 256m}
   */
  public record Settings(int port, List<String> dmUrls, Path dmTokenFile, List<String> collectionUrls,
      Path collectionTokenFile, Path usersFile, String heap) {}

  /**
   * Where cockpit.jar is: {@code AUTOPILOT_COCKPIT_JAR}, else {@code cockpit-ui/target/cockpit.jar}
   * under the working directory or beside the checkout the running autopilot.jar came from.
   */
  public static Path findJar() throws IOException {
    String env = System.getenv("AUTOPILOT_COCKPIT_JAR");
    List<Path> candidates = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    candidates.add(Path.of("cockpit-ui", "target", "cockpit.jar"));
    try {
      Path self = Path.of(CockpitProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // launcher/target/autopilot.jar -> <checkout>/cockpit-ui/target/cockpit.jar
      if (self.getParent() != null && self.getParent().getParent() != null
          && self.getParent().getParent().getParent() != null) {
        candidates.add(self.getParent().getParent().getParent().resolve("cockpit-ui/target/cockpit.jar"));
      }
    } catch (Exception e) {
      // no location: only the other candidates
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IOException("cockpit.jar not found (tried " + candidates + "); build it with "
        + "'mvn -pl cockpit-ui -am -DskipTests package' or set AUTOPILOT_COCKPIT_JAR");
  }

  /** Starts Cockpit from {@code jar}; its output goes to {@code log}. */
  public static CockpitProcess start(Path jar, Settings s, Path log) throws IOException {
    return start(jar, s, log, List.of());
  }

  /** As above, with more Spring arguments ({@code --key=value}) for Cockpit. */
  public static CockpitProcess start(Path jar, Settings s, Path log, List<String> extra) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + s.heap(), "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "--server.port=" + s.port(), "--server.address=127.0.0.1",
        "--autopilot.dm.urls=" + String.join(",", s.dmUrls()),
        "--autopilot.dm.token-file=" + s.dmTokenFile().toAbsolutePath(),
        "--autopilot.users-file=" + s.usersFile().toAbsolutePath()));
    if (!s.collectionUrls().isEmpty()) {
      cmd.add("--autopilot.collection.urls=" + String.join(",", s.collectionUrls()));
    }
    if (s.collectionTokenFile() != null) {
      cmd.add("--autopilot.collection.token-file=" + s.collectionTokenFile().toAbsolutePath());
    }
    cmd.addAll(extra);
    Files.createDirectories(log.toAbsolutePath().getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    return new CockpitProcess(p, "http://127.0.0.1:" + s.port(), log);
  }

  /**
   * Cockpit for a local system such as the demo, in one call: writes {@code operatorToken} to
   * {@code <dir>/dm-token} (mode 600), makes {@code <dir>/users.txt} with users admin, operator
   * and viewer (passwords in {@code <dir>/passwords.txt}) unless it exists, and starts
   * cockpit.jar on 127.0.0.1:{@code port} logging to {@code <dir>/cockpit.log}. Call
   * {@link #awaitReady} before printing its URL, and {@link #close} on the way out.
   *
   * @param collectionUrls the collection service's URLs (empty: none)
   * @param collectionTokenFile its query token file, or null
   */
  public static CockpitProcess startLocal(Path dir, int port, List<String> dmUrls, String operatorToken,
      List<String> collectionUrls, Path collectionTokenFile) throws IOException, InterruptedException {
    Path jar = findJar();
    Files.createDirectories(dir);
    Path token = dir.resolve("dm-token");
    Files.writeString(token, operatorToken);
    try {
      Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not POSIX
    }
    Path users = dir.resolve("users.txt");
    ensureDemoUsers(jar, users, dir.resolve("passwords.txt"));
    return start(jar, new Settings(port, dmUrls, token, collectionUrls, collectionTokenFile, users,
        "256m"), dir.resolve("cockpit.log"));
  }

  /** Waits until its login page answers (at most {@code max}); false if it did not or it died. */
  public boolean awaitReady(Duration max) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/login"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Its base URL, e.g. {@code http://127.0.0.1:7701}. */
  public String url() {
    return url;
  }

  /** Its log file. */
  public Path log() {
    return log;
  }

  /** The process, e.g. to wait for it. */
  public Process process() {
    return process;
  }

  /**
   * A users file at {@code file} with one user per role ({@code admin}, {@code operator},
   * {@code viewer}), each with a fresh random password, hashed by {@code cockpit.jar
   * hash-password}; the passwords go to {@code passwordsFile} (mode 600). Kept if it exists.
   */
  public static void ensureDemoUsers(Path jar, Path file, Path passwordsFile)
      throws IOException, InterruptedException {
    if (Files.exists(file)) {
      return;
    }
    SecureRandom random = new SecureRandom();
    StringBuilder users = new StringBuilder("# Cockpit users: name role bcrypt-hash (docs/cockpit.md)\n");
    StringBuilder passwords = new StringBuilder("# Cockpit demo passwords (user = password)\n");
    for (String role : List.of("admin", "operator", "viewer")) {
      byte[] b = new byte[9];
      random.nextBytes(b);
      String pw = HexFormat.of().formatHex(b);
      users.append(role).append(' ').append(role).append(' ').append(hash(jar, pw)).append('\n');
      passwords.append(role).append(" = ").append(pw).append('\n');
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(passwordsFile, passwords);
    try {
      Files.setPosixFilePermissions(passwordsFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not POSIX
    }
    Files.writeString(file, users);
  }

  /** The bcrypt hash of {@code password}, by {@code java -jar cockpit.jar hash-password}. */
  public static String hash(Path jar, String password) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx64m", "-jar", jar.toString(), "hash-password")
        .redirectErrorStream(true).start();
    p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("$2")) {
      throw new IOException("cockpit.jar hash-password failed: " + out);
    }
    return out;
  }

  /** Stops Cockpit (SIGTERM, then SIGKILL after 10 s). */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
