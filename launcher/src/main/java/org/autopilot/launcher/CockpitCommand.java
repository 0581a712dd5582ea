package org.autopilot.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code autopilot cockpit serve}: Cockpit, the web dashboards, as a child process. */
@Command(name = "cockpit", mixinStandardHelpOptions = true,
    description = "Cockpit, the web dashboards (docs/cockpit.md).",
    subcommands = {CockpitCommand.Serve.class})
final class CockpitCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Runs Cockpit until Ctrl-C. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Runs Cockpit (java -jar cockpit-ui/target/cockpit.jar) on 127.0.0.1; without "
          + "options it serves the demo's DM with users made for it in demo-data/cockpit/.")
  static final class Serve implements Callable<Integer> {
    @Mixin DmOptions dm;

    @Option(names = "--port", defaultValue = "7701", description = "HTTP port on 127.0.0.1 (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--dm-token-file", paramLabel = "FILE",
        description = "file with Cockpit's DM token, role operator (default: --token, else the "
            + "demo's operator token, written to demo-data/cockpit/dm-token)")
    Path dmTokenFile;

    @Option(names = "--users-file", paramLabel = "FILE",
        description = "users file: 'name role bcrypt-hash' per line (default: "
            + "demo-data/cockpit/users.txt, made with random passwords in demo-data/cockpit/passwords.txt)")
    Path usersFile;

    @Option(names = "--collection", split = ",", paramLabel = "URL",
        description = "collection service URL(s), e.g. http://127.0.0.1:7601 (default: none)")
    List<String> collection = List.of();

    @Option(names = "--collection-token-file", paramLabel = "FILE") Path collectionTokenFile;

    @Option(names = "--heap", defaultValue = "256m", description = "Cockpit's -Xmx (default ${DEFAULT-VALUE})")
    String heap;

    @Option(names = "--jar", paramLabel = "FILE", description = "cockpit.jar (default: found beside this checkout)")
    Path jar;

    @Override
    public Integer call() throws Exception {
      Path cockpitJar = jar != null ? jar : CockpitProcess.findJar();
      Path dir = Path.of("demo-data", "cockpit");
      Path tokenFile = dmTokenFile;
      if (tokenFile == null) {
        Files.createDirectories(dir);
        tokenFile = dir.resolve("dm-token");
        Files.writeString(tokenFile, dm.token != null ? dm.token : DmOptions.credential(
            "AUTOPILOT_TOKEN", "operator", "DM token for Cockpit", "--dm-token-file"));
      }
      Path users = usersFile;
      if (users == null) {
        users = dir.resolve("users.txt");
        CockpitProcess.ensureDemoUsers(cockpitJar, users, dir.resolve("passwords.txt"));
        System.out.println("Cockpit users: " + users + " (passwords in " + dir.resolve("passwords.txt") + ")");
      }
      Path log = dir.resolve("cockpit.log");
      CockpitProcess p = CockpitProcess.start(cockpitJar, new CockpitProcess.Settings(port,
          dm.urls(), tokenFile, collection, collectionTokenFile, users, heap), log,
          dm.ca == null ? List.of() : List.of("--autopilot.ca-file=" + dm.ca.toAbsolutePath()));
      Runtime.getRuntime().addShutdownHook(new Thread(p::close, "cockpit-shutdown"));
      if (!p.awaitReady(Duration.ofSeconds(90))) {
        System.err.println("Cockpit did not come up; its log: " + log.toAbsolutePath());
        p.close();
        return 1;
      }
      System.out.println("Cockpit: " + p.url() + "  (log " + log.toAbsolutePath() + "; Ctrl-C stops it)");
      return p.process().waitFor();
    }
  }
}
