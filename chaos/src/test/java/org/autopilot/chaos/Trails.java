package org.autopilot.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.autopilot.devicemanager.api.FleetQueries;
import org.autopilot.devicemanager.client.DmClient;
import org.autopilot.devicemanager.event.DmEvent;

/** Reads one replica's whole audit trail, page by page, from its own API (no relay). */
final class Trails {
  private Trails() {}

  static List<DmEvent> read(String apiUrl, String token) {
    List<DmEvent> all = new ArrayList<>();
    try (DmClient c = new DmClient(List.of(apiUrl), token, new Random(1), Duration.ofSeconds(10), 2)) {
      long after = 0;
      for (int page = 0; page < 10_000; page++) {
        FleetQueries.EventPage p = c.events(after, 5000);
        if (p.items().isEmpty()) {
          break;
        }
        all.addAll(p.items());
        after = p.items().get(p.items().size() - 1).revision();
      }
    }
    return all;
  }
}
