package io.headersync.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs the command in-process with its output captured. */
abstract class CliTestBase {
  final WatchedOutput out = new WatchedOutput();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final Main main;

  CliTestBase() {
    this(Clock.systemUTC());
  }

  CliTestBase(Clock clock) {
    main = newMain(clock);
  }

  Main newMain(Clock clock) {
    return new Main(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        clock);
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Output that completes a future when a line containing a marker has been written. */
  static final class WatchedOutput extends ByteArrayOutputStream {
    private final List<Map.Entry<String, CompletableFuture<String>>> watches = new ArrayList<>();

    /** Completes with the first line written (now or later) that contains {@code marker}. */
    synchronized CompletableFuture<String> line(String marker) {
      CompletableFuture<String> f = new CompletableFuture<>();
      watches.add(Map.entry(marker, f));
      check();
      return f;
    }

    @Override
    public synchronized void write(int b) {
      super.write(b);
      check();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      super.write(b, off, len);
      check();
    }

    private void check() {
      if (watches.isEmpty()) {
        return;
      }
      List<String> complete = toString(StandardCharsets.UTF_8).lines().toList();
      String text = toString(StandardCharsets.UTF_8);
      int lines = text.endsWith("\n") ? complete.size() : complete.size() - 1; // whole lines only
      watches.removeIf(
          w -> {
            for (int i = 0; i < lines; i++) {
              if (complete.get(i).contains(w.getKey())) {
                w.getValue().complete(complete.get(i));
                return true;
              }
            }
            return false;
          });
    }
  }
}
