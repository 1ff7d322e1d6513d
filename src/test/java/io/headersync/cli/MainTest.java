package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8), Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void chainThenInspect(@TempDir Path dir) {
    String dataDir = dir.resolve("data").toString();
    assertEquals(0, main.run(List.of("chain", "--count", "300", "--data-dir", dataDir, "--chain-id", "test")), err());
    assertTrue(out().contains("done: 300 headers"), out());
    assertTrue(out().contains("head 300"), out());
    out.reset();
    assertEquals(0, main.run(List.of("inspect", "--data-dir", dataDir, "--height", "7")), err());
    assertTrue(out().contains("head    300"), out());
    assertTrue(out().contains("tail    1"), out());
    assertTrue(out().contains("header 7"), out());
    assertTrue(out().contains("chain id        test"), out());
    assertTrue(out().contains("signature       valid"), out());
  }

  @Test
  void refusesToOverwriteAStore(@TempDir Path dir) {
    String dataDir = dir.resolve("data").toString();
    assertEquals(0, main.run(List.of("chain", "--count", "10", "--data-dir", dataDir)));
    assertEquals(2, main.run(List.of("chain", "--count", "10", "--data-dir", dataDir)));
    assertTrue(err().contains("already holds headers 1..10"), err());
  }

  @Test
  void badFlagsPrintUsageNotAStackTrace() {
    assertEquals(2, main.run(List.of("chain", "--count", "many")));
    assertTrue(err().contains("--count must be a number, got \"many\""), err());
    assertTrue(err().contains("usage: headersync"), err());
    assertFalse(err().contains("Exception"), err());
    err.reset();
    assertEquals(2, main.run(List.of("chain", "--colour", "red")));
    assertTrue(err().contains("unknown option --colour"), err());
    err.reset();
    assertEquals(2, main.run(List.of("launch")));
    assertTrue(err().contains("unknown command \"launch\""), err());
  }

  @Test
  void inspectNamesAMissingStore(@TempDir Path dir) {
    assertEquals(2, main.run(List.of("inspect", "--data-dir", dir.resolve("nothing").toString())));
    assertTrue(err().contains("no store at"), err());
  }

  @Test
  void chainWithoutDataDirUsesAFreshDirectoryEachTime() {
    assertEquals(0, main.run(List.of("chain", "--count", "5")), err());
    assertEquals(0, main.run(List.of("chain", "--count", "5")), err());
    assertTrue(out().contains("inspect it: ./headersync inspect --data-dir"), out());
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, main.run(List.of("help")));
    assertTrue(out().contains("commands:"));
  }
}
