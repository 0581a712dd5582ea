package org.autopilot.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import org.autopilot.devicemanager.core.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code autopilot status}: the cluster as one replica sees it, with why it refuses writes or has
 * failed; exits 1 when the replica asked has failed.
 */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows DM replicas, the leader and revisions.")
final class StatusCommand implements Callable<Integer> {
  @Mixin DmOptions dm;

  @Override
  public Integer call() throws Exception {
    JsonNode s = dm.client().status();
    JsonNode r = s.get("replica");
    System.out.printf("replica %s  role %s  leader %s  term %d  revision %d  applied index %d%n",
        r.get("id").asText(), r.get("role").asText(), r.path("leader").asText("-"),
        r.get("term").asLong(), r.get("revision").asLong(), r.get("appliedIndex").asLong());
    System.out.println("leader API: " + s.path("leaderApi").asText("(election under way)"));
    System.out.println("open watches: " + s.get("openWatches").asInt());
    System.out.println("peers: " + Json.mapper().writeValueAsString(s.get("peers")));
    if (r.hasNonNull("writesRefused")) {
      System.out.println("writes refused: " + r.get("writesRefused").asText());
    }
    if (r.hasNonNull("failure")) {
      System.out.println("FAILED: " + r.get("failure").asText());
      return 1;
    }
    return 0;
  }
}
