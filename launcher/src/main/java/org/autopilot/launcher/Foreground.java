package org.autopilot.launcher;

import java.util.concurrent.CountDownLatch;

/** Keeps a long-running service in the foreground until the process is told to stop. */
final class Foreground {
  private Foreground() {}

  /** Prints {@code banner}, then blocks until SIGTERM/Ctrl-C, which closes {@code service}. */
  static int runUntilStopped(String name, AutoCloseable service, String banner)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.close();
      } catch (Exception e) {
        System.err.println(name + ": shutdown failed: " + e);
      }
      stopped.countDown();
    }, name + "-shutdown"));
    System.out.println(banner);
    stopped.await();
    return 0;
  }
}
