package org.autopilot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;
import org.autopilot.collection.client.CollectionClient;
import org.autopilot.collection.model.Counter;
import org.autopilot.collection.model.LogLine;
import org.autopilot.collection.model.Point;
import org.autopilot.collection.model.Series;
import org.autopilot.collection.service.CollectionService;
import org.autopilot.collection.service.CollectionServiceConfig;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.manifests.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code autopilot collection serve|status|counters|series|logs}: the collection service and its data. */
@Command(name = "collection", mixinStandardHelpOptions = true,
    description = "Runs a collection service replica or reads counters and logs from one (see docs/collection.md).",
    subcommands = {CollectionCommand.Serve.class, CollectionCommand.Status.class, CollectionCommand.Counters.class,
        CollectionCommand.SeriesCmd.class, CollectionCommand.Logs.class})
final class CollectionCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Where the replica is and who reads. */
  static final class Target {
    @Option(names = "--url", paramLabel = "URL",
        description = "a collection replica (env AUTOPILOT_COLLECTION; default http://127.0.0.1:7601)")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "viewer (or higher) token (env AUTOPILOT_TOKEN; default: the viewer token in "
            + "demo-data/credentials.properties)")
    String token;

    @Option(names = "--ca", paramLabel = "FILE",
        description = "PEM bundle of the CAs to trust for an https:// URL (env AUTOPILOT_CA)")
    Path ca;

    CollectionClient client() throws IOException {
      String u = url != null ? url : System.getenv("AUTOPILOT_COLLECTION");
      String t = token != null ? token : DmOptions.credential("AUTOPILOT_TOKEN", "viewer", "API token", "--token");
      return new CollectionClient(u == null || u.isBlank() ? "http://127.0.0.1:7601" : u.trim(), t,
          DmOptions.trust(ca));
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Runs one collection replica until stopped: takes machines' batches, answers queries, "
          + "rolls up and expires on schedule.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "collection.yaml") Path config;

    @Override
    public Integer call() throws Exception {
      CollectionServiceConfig c = CollectionServiceConfig.load(config);
      CollectionService s = CollectionService.start(c, InstantSource.system());
      return Foreground.runUntilStopped("collection", s, "collection replica " + c.id() + " on " + s.url()
          + ", storing into " + c.database().safeUrl());
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "A replica's database, rows and ingest counters.")
  static final class Status implements Callable<Integer> {
    @Mixin Target target;

    @Override
    public Integer call() throws Exception {
      JsonNode s = target.client().status();
      System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(s));
      return 0;
    }
  }

  @Command(name = "counters", mixinStandardHelpOptions = true,
      description = "The series of a machine, or every counter name in the fleet.")
  static final class Counters implements Callable<Integer> {
    @Mixin Target target;
    @Option(names = "--machine", description = "this machine's series") String machine;

    @Override
    public Integer call() throws Exception {
      for (Counter c : target.client().counters(machine)) {
        System.out.println(machine == null ? c.counter()
            : String.format("%-12s %s", c.app().isEmpty() ? "-" : c.app(), c.counter()));
      }
      return 0;
    }
  }

  @Command(name = "series", mixinStandardHelpOptions = true, description = "A counter's points over a time range.")
  static final class SeriesCmd implements Callable<Integer> {
    @Mixin Target target;
    @Option(names = "--machine", required = true, description = "machine (repeat for several)") List<String> machines;
    @Option(names = "--counter", required = true) String counter;
    @Option(names = "--app", description = "only this app's series (\"\" for machine-level)") String app;
    @Option(names = "--since", defaultValue = "1h", description = "how far back (default ${DEFAULT-VALUE})") String since;
    @Option(names = "--from", description = "start (ISO-8601 or epoch ms; overrides --since)") String from;
    @Option(names = "--to", description = "end (ISO-8601 or epoch ms; default now)") String to;
    @Option(names = "--step", defaultValue = "auto", description = "auto, raw, minute or hour") String step;

    @Override
    public Integer call() throws Exception {
      String start = from != null ? from : Long.toString(System.currentTimeMillis() - Durations.parse(since, "--since").toMillis());
      for (Series s : target.client().series(machines, counter, app, start, to, step)) {
        System.out.printf("%s %s%s  (%s, %d points)%n", s.machine(), s.app().isEmpty() ? "" : s.app() + " ",
            s.counter(), s.step(), s.points().size());
        for (Point p : s.points()) {
          System.out.printf("  %s  %12.2f%s%n", Instant.ofEpochMilli(p.t()), p.avg(),
              s.step().equals("raw") ? "" : String.format("  (min %.2f, max %.2f)", p.min(), p.max()));
        }
      }
      return 0;
    }
  }

  @Command(name = "logs", mixinStandardHelpOptions = true, description = "Search log lines, newest first.")
  static final class Logs implements Callable<Integer> {
    @Mixin Target target;
    @Option(names = "--machine") String machine;
    @Option(names = "--app", description = "an app, or \"\" for the agent's own events") String app;
    @Option(names = "--level", description = "this level and above (TRACE, DEBUG, INFO, WARN, ERROR)") String level;
    @Option(names = "--q", description = "lines containing this text (any case)") String q;
    @Option(names = "--since", defaultValue = "1h", description = "how far back (default ${DEFAULT-VALUE})") String since;
    @Option(names = "--limit", defaultValue = "100", description = "most lines, 1..1000") int limit;

    @Override
    public Integer call() throws Exception {
      String start = Long.toString(System.currentTimeMillis() - Durations.parse(since, "--since").toMillis());
      List<LogLine> lines = target.client().logs(machine, app, level, q, start, null, limit);
      for (int i = lines.size() - 1; i >= 0; i--) {
        LogLine l = lines.get(i);
        System.out.printf("%s %-8s %-8s %-5s %s%n", Instant.ofEpochMilli(l.t()), l.machine(),
            l.app().isEmpty() ? "(agent)" : l.app(), l.level(), l.text());
      }
      return 0;
    }
  }
}
