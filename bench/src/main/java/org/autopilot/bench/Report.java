package org.autopilot.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.autopilot.devicemanager.core.Json;

/** A benchmark's result: printed as a human summary, then one JSON object as the last line. */
final class Report {
  private final Map<String, Object> figures = new LinkedHashMap<>();

  Report(String bench) {
    figures.put("bench", bench);
  }

  Report put(String key, Object value) {
    figures.put(key, value instanceof Double d ? Math.round(d * 100) / 100.0 : value);
    return this;
  }

  void print(String summary) throws Exception {
    System.out.println(summary);
    System.out.flush();
    System.out.println(Json.mapper().writeValueAsString(figures));
  }
}
