package org.autopilot.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.autopilot.devicemanager.api.Role;
import org.autopilot.devicemanager.server.LocalCluster;

/** A running DM cluster as a benchmark sees it: API URLs and an admin token. */
interface Replicas extends AutoCloseable {
  List<String> apiUrls();

  String token();

  @Override
  void close() throws InterruptedException;

  /** One JVM process per replica (the realistic layout). */
  static Replicas processes(Path dir, int n, String heap, String extraYaml)
      throws IOException, InterruptedException {
    ProcessCluster c = new ProcessCluster(dir, n, heap, extraYaml);
    c.startAll();
    c.leader(Duration.ofSeconds(60)).orElseThrow(() ->
        new IllegalStateException("no leader within 60 s; see " + dir + "/*.log"));
    return new Replicas() {
      public List<String> apiUrls() {
        return c.apiUrls();
      }

      public String token() {
        return c.token();
      }

      public void close() throws InterruptedException {
        c.close();
      }
    };
  }

  /** Every replica inside this JVM (less JIT and GC duplication on a small machine). */
  static Replicas inProcess(Path dir, int n) throws IOException, InterruptedException {
    LocalCluster c = LocalCluster.create(dir, n, 0, InstantSource.system()).start();
    c.leader(60_000).orElseThrow(() -> new IllegalStateException("no leader within 60 s"));
    return new Replicas() {
      public List<String> apiUrls() {
        return c.apiUrls();
      }

      public String token() {
        return c.token(Role.ADMIN);
      }

      public void close() {
        c.close();
      }
    };
  }
}
