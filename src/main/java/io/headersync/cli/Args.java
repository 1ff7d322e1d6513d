package io.headersync.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of one subcommand, checked against the names it knows. */
final class Args {
  private final Map<String, String> values = new LinkedHashMap<>();

  Args(List<String> argv, Set<String> known) {
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument \"" + a + "\"");
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= argv.size()) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = argv.get(++i);
      }
      if (!known.contains(name)) {
        throw new UsageException("unknown option --" + name + " (known: --" + String.join(", --", known) + ")");
      }
      values.put(name, value);
    }
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String def) {
    return values.getOrDefault(name, def);
  }

  long positiveLong(String name, long def) {
    return number(name, def, 1, "positive");
  }

  long nonNegativeLong(String name, long def) {
    return number(name, def, 0, "at least 0");
  }

  private long number(String name, long def, long min, String rule) {
    String v = values.get(name);
    if (v == null) {
      return def;
    }
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a number, got \"" + v + "\"");
    }
    if (n < min) {
      throw new UsageException("--" + name + " must be " + rule + ", got " + v);
    }
    return n;
  }

  /** Durations like {@code 100ms}, {@code 2s}, {@code 1m}. */
  Duration duration(String name, Duration def) {
    String v = values.get(name);
    if (v == null) {
      return def;
    }
    try {
      Duration d;
      if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        throw new NumberFormatException();
      }
      if (d.isNegative() || d.isZero()) {
        throw new UsageException("--" + name + " must be positive, got " + v);
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a duration like 100ms, 2s or 1m, got \"" + v + "\"");
    }
  }
}
