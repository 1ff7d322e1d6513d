package io.headersync.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The log lines a piece of code writes. The tests' SLF4J backend (slf4j-simple, levels from {@code
 * simplelogger.properties}: WARN and above) writes to {@code System.err}, looked up on every line,
 * so swapping {@code System.err} captures it. Tests run one at a time.
 */
public final class Logs {
  private Logs() {}

  /** Runs {@code body} with {@code System.err} captured (and still printed); returns the lines. */
  public static List<String> capture(Runnable body) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee =
        new PrintStream(
            new OutputStream() {
              @Override
              public void write(int b) {
                synchronized (captured) {
                  captured.write(b);
                }
                original.write(b);
              }

              @Override
              public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                  captured.write(b, off, len);
                }
                original.write(b, off, len);
              }
            },
            true,
            StandardCharsets.UTF_8);
    System.setErr(tee);
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    }
  }

  /** The WARN and ERROR lines among {@code lines}. */
  public static List<String> loud(List<String> lines) {
    return lines.stream()
        .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
        .collect(Collectors.toList());
  }
}
