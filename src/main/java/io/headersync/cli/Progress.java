package io.headersync.cli;

import io.headersync.annotation.Nullable;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Status lines: on a terminal one line redrawn in place every second; otherwise (a log file, a
 * pipe) a line every five seconds.
 */
final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private final long interval;
  private boolean drawn;

  Progress(PrintStream out, boolean terminal) {
    this(out, terminal, null);
  }

  /** With {@code interval} between status lines, or the default for the output when null. */
  Progress(PrintStream out, boolean terminal, @Nullable Duration interval) {
    this.out = out;
    this.terminal = terminal;
    this.interval =
        interval != null ? interval.toNanos() : terminal ? 1_000_000_000L : 5_000_000_000L;
  }

  /** Nanoseconds between status lines. */
  long interval() {
    return interval;
  }

  void line(String s) {
    if (terminal) {
      out.print("\r" + s + "\u001b[K");
      out.flush();
      drawn = true;
    } else {
      out.println(s);
    }
  }

  /** Ends a redrawn line, so what follows starts on a line of its own. */
  void end() {
    if (drawn) {
      out.println();
      drawn = false;
    }
  }

  /** {@code 42s}, {@code 6m02s}, {@code 1h05m}. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
