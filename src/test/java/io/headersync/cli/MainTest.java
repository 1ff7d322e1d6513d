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

  @Test
  void devnetRunsEveryRoleToTheHead(@TempDir Path dir) {
    Main live = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Clock.systemUTC());
    assertEquals(0, live.run(List.of("devnet", "--blocks", "30", "--block-time", "50ms", "--full", "1", "--light", "1",
        "--data-dir", dir.toString())), out() + err());
    assertTrue(out().contains("every node reached the head 30"), out());
    assertTrue(out().contains("full-1") && out().contains("light-1") && out().contains("sequencer"), out());
    assertTrue(out().contains("light-1 joins at height 15"), out());
  }

  @Test
  void devnetAndNodeCheckTheirFlags() {
    assertEquals(2, main.run(List.of("devnet", "--blocks", "5", "--seconds", "3")));
    assertTrue(err().contains("give --blocks or --seconds, not both"), err());
    err.reset();
    assertEquals(2, main.run(List.of("devnet", "--profile", "cosmos")));
    assertTrue(err().contains("unknown network profile \"cosmos\""), err());
    err.reset();
    assertEquals(2, main.run(List.of("devnet", "--full", "-1")));
    assertTrue(err().contains("--full must be at least 0"), err());
    err.reset();
    assertEquals(2, main.run(List.of("node", "--chain-id", "gm")));
    assertTrue(err().contains("node needs --chain-id and --peers"), err());
    err.reset();
    assertEquals(2, main.run(List.of("node", "--chain-id", "gm", "--peers", "/ip4/1.2.3.4/tcp/1")));
    assertTrue(err().contains("bad seed entries"), err());
    err.reset();
    assertEquals(2, main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--role", "archive")));
    assertTrue(err().contains("--role must be full or light"), err());
    assertFalse(err().contains("Exception"), err());
  }
}
