package io.headersync.testing;

import java.io.IOException;
import java.io.InputStream;

/**
 * For a test's child process: halts the JVM when its stdin closes, so a child whose test died (and
 * could not kill it) does not live on.
 */
public final class OrphanGuard {
  private OrphanGuard() {}

  /** Starts a daemon thread that reads stdin to its end, then halts with {@code status}. */
  public static void start(int status) {
    Thread guard =
        new Thread(
            () -> {
              try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                  // keep reading until the parent goes away
                }
              } catch (IOException ignored) {
                // parent gone
              }
              Runtime.getRuntime().halt(status);
            },
            "orphan-guard");
    guard.setDaemon(true);
    guard.start();
  }
}
