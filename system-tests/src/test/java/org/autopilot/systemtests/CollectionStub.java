package org.autopilot.systemtests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the collection service (built in parallel, issue #7 part 1) by speaking its
 * query API contract on loopback: {@code /api/v1/counters}, {@code /series}, {@code /logs}
 * behind a bearer token. Every machine reports counters {@code rps} and {@code latency_ms} of
 * app {@code web}; series are a deterministic wave over the asked range.
 */
final class CollectionStub implements AutoCloseable {
  static final String TOKEN = "collection-test-token";
  private final HttpServer server;

  CollectionStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    List<String[]> q = query(ex.getRequestURI().getRawQuery());
    String body;
    int status = 200;
    if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      status = 401;
      body = "{\"error\":\"missing or wrong token\"}";
    } else if (path.endsWith("/counters")) {
      String m = first(q, "machine", "");
      body = "{\"counters\":[{\"machine\":\"" + m + "\",\"app\":\"web\",\"counter\":\"rps\"},"
          + "{\"machine\":\"" + m + "\",\"app\":\"web\",\"counter\":\"latency_ms\"}]}";
    } else if (path.endsWith("/series")) {
      long from = Long.parseLong(first(q, "from", "0"));
      long to = Long.parseLong(first(q, "to", "60000"));
      StringBuilder b = new StringBuilder("{\"series\":[");
      int n = 0;
      for (String[] kv : q) {
        if (!kv[0].equals("machine")) {
          continue;
        }
        b.append(n++ == 0 ? "" : ",").append("{\"machine\":\"").append(kv[1])
            .append("\",\"app\":\"web\",\"counter\":\"").append(first(q, "counter", "rps"))
            .append("\",\"step\":\"minute\",\"points\":[");
        for (int i = 0; i < 60; i++) {
          long t = from + (to - from) * i / 60;
          double v = 100 + n * 10 + 20 * Math.sin(i / 6.0);
          b.append(i == 0 ? "" : ",").append('[').append(t).append(',').append(v).append(',')
              .append(v - 5).append(',').append(v + 5).append(']');
        }
        b.append("]}");
      }
      body = b.append("]}").toString();
    } else if (path.endsWith("/logs")) {
      String m = first(q, "machine", "sim-01");
      body = "{\"lines\":[{\"t\":1763800000000,\"machine\":\"" + m + "\",\"app\":\"web\",\"level\":\"INFO\","
          + "\"text\":\"web listening on :8080\"},{\"t\":1763800001000,\"machine\":\"" + m
          + "\",\"app\":\"web\",\"level\":\"WARN\",\"text\":\"slow request 812 ms\"}]}";
    } else {
      status = 404;
      body = "{\"error\":\"no such resource\"}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  private static List<String[]> query(String raw) {
    List<String[]> out = new ArrayList<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.add(new String[] {URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)});
        }
      }
    }
    return out;
  }

  private static String first(List<String[]> q, String key, String dflt) {
    return q.stream().filter(kv -> kv[0].equals(key)).map(kv -> kv[1]).findFirst().orElse(dflt);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
