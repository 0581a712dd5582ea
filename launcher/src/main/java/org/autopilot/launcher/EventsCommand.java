package org.autopilot.launcher;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.api.FleetQueries.EventPage;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.core.Json;
import org.autopilot.devicemanager.event.DmEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code autopilot events}: the audit trail. */
@Command(name = "events", mixinStandardHelpOptions = true,
    description = "Prints the audit trail (who changed what, and why); --follow keeps printing.")
final class EventsCommand implements Callable<Integer> {
  @Mixin DmOptions dm;
  @Option(names = "--after", defaultValue = "0", description = "only events after this revision") long after;
  @Option(names = "--limit", defaultValue = "200", description = "events per request") int limit;
  @Option(names = "--follow", description = "wait for new events (Ctrl-C to stop)") boolean follow;
  @Option(names = "--json", description = "one JSON object per line") boolean json;

  @Override
  public Integer call() throws Exception {
    DmClient client = dm.client();
    long cursor = after;
    while (true) {
      EventPage page = client.events(cursor, limit);
      for (DmEvent e : page.items()) {
        if (json) {
          System.out.println(Json.mapper().writerFor(DmEvent.class).writeValueAsString(e));
        } else {
          System.out.printf("%8d %s %-18s %-12s %s%n", e.revision(), e.at(),
              e.getClass().getSimpleName(), e.actor(), describe(e));
        }
        cursor = e.revision();
      }
      if (page.next() != null) {
        continue;
      }
      if (!follow) {
        return 0;
      }
      client.watch(Math.max(cursor, page.index()), Duration.ofMinutes(1));
    }
  }

  private static String describe(DmEvent e) throws Exception {
    String json = Json.mapper().writerFor(DmEvent.class).writeValueAsString(e);
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(json);
    node.remove(java.util.List.of("type", "revision", "at", "actor"));
    return node.toString();
  }
}
