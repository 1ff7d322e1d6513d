package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line itself (issue 15, item 1): help, version, usage errors, typos, completion. */
class CliTest extends CliTestBase {
  @Test
  void everyCommandHasItsOwnHelpWithItsOptionsAndTheExitCodes() {
    for (List<String> cmd :
        List.of(
            List.of("devnet", "--block-time", "--blocks"),
            List.of("node", "--peers", "--proposer-key"),
            List.of("inspect", "--data-dir", "--height"),
            List.of("chain", "--count", "--seed"),
            List.of("completion"))) {
      out.reset();
      assertEquals(0, main.run(List.of(cmd.get(0), "--help")), err());
      assertTrue(out().startsWith("Usage: headersync " + cmd.get(0)), out());
      for (String option : cmd.subList(1, cmd.size())) {
        assertTrue(out().contains(option), cmd.get(0) + " --help lacks " + option + ":\n" + out());
      }
      assertTrue(
          out().contains("Exit codes:")
              && out().contains("0   success")
              && out().contains("1   runtime failure")
              && out().contains("2   bad usage"),
          out());
      assertEquals("", err());
    }
    out.reset();
    assertEquals(0, main.run(List.of("help", "node")));
    assertTrue(out().startsWith("Usage: headersync node"), out());
  }

  @Test
  void topLevelHelpListsTheCommands() {
    assertEquals(0, main.run(List.of("--help")));
    for (String c : List.of("devnet", "node", "inspect", "chain", "completion", "help")) {
      assertTrue(out().contains("  " + c), out());
    }
    assertTrue(out().contains("Exit codes:"), out());
  }

  @Test
  void noCommandIsAUsageError() {
    assertEquals(2, main.run(List.of()));
    assertTrue(err().startsWith("headersync: a command is needed"), err());
    assertTrue(err().contains("Try 'headersync --help'"), err());
  }

  @Test
  void versionIsThePomVersion() throws IOException {
    Matcher m =
        Pattern.compile("<artifactId>headersync</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find());
    assertEquals(0, main.run(List.of("--version")));
    assertTrue(out().startsWith("headersync " + m.group(1) + "\n"), out());
    out.reset();
    assertEquals(0, main.run(List.of("devnet", "--version")));
    assertTrue(out().startsWith("headersync " + m.group(1) + "\n"), out());
  }

  @Test
  void anUnknownOptionIsOneLineWithSuggestionsNotTheWholeHelp() {
    assertEquals(2, main.run(List.of("devnet", "--frob")));
    assertTrue(err().startsWith("headersync devnet: Unknown option: '--frob'"), err());
    assertTrue(err().contains("Try 'headersync devnet --help' for more information."), err());
    assertFalse(err().contains("Usage:"), err());
    assertFalse(err().contains("needs a value"), err());
    assertTrue(err().lines().count() <= 3, err());
    assertEquals("", out());
  }

  @Test
  void typosGetSuggestions() {
    assertEquals(2, main.run(List.of("devnte")));
    assertTrue(err().contains("Did you mean: headersync devnet"), err());
    err.reset();
    assertEquals(2, main.run(List.of("devnet", "--blcoks", "5")));
    assertTrue(err().contains("--blocks"), err());
    assertTrue(err().contains("Possible solutions") || err().contains("Did you mean"), err());
  }

  @Test
  void badValuesNameTheOptionAndTheRule() {
    assertEquals(2, main.run(List.of("devnet", "--block-time", "fast")));
    assertTrue(
        err().contains("--block-time")
            && err().contains("\"fast\" is not a duration like 100ms, 2s, 1m or 337h"),
        err());
    err.reset();
    assertEquals(2, main.run(List.of("devnet", "--block-time", "0s")));
    assertTrue(err().contains("must be positive"), err());
    err.reset();
    assertEquals(2, main.run(List.of("devnet", "--blocks")));
    assertTrue(err().contains("Missing required parameter for option '--blocks'"), err());
  }

  /**
   * {@code node --pruning-window}: a positive duration (go-header's units, 337h), for light nodes
   * only (as {@code --sync-from-height}: full nodes and sequencers keep every block), said in the
   * help.
   */
  @Test
  void thePruningWindowIsAPositiveDurationForLightNodesOnly() {
    for (String bad : List.of("0s", "0h", "-5m")) {
      err.reset();
      assertEquals(
          2,
          main.run(
              List.of(
                  "node",
                  "--chain-id",
                  "gm",
                  "--peers",
                  "x",
                  "--role",
                  "light",
                  "--pruning-window",
                  bad)));
      assertTrue(
          err().contains("--pruning-window") && err().contains("must be positive"),
          bad + ": " + err());
    }
    err.reset();
    assertEquals(
        2,
        main.run(
            List.of(
                "node",
                "--chain-id",
                "gm",
                "--peers",
                "x",
                "--role",
                "light",
                "--pruning-window",
                "two weeks")));
    assertTrue(err().contains("--pruning-window") && err().contains("is not a duration"), err());
    err.reset();
    assertEquals(
        2,
        main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--pruning-window", "337h")));
    assertTrue(
        err()
            .contains(
                "--pruning-window is for --role light: a full node or sequencer keeps every block"),
        err());
    err.reset();
    assertEquals(
        2,
        main.run(
            List.of(
                "node",
                "--role",
                "sequencer",
                "--signer-key",
                "k",
                "--passphrase-file",
                "p",
                "--chain-id",
                "gm",
                "--pruning-window",
                "1h")));
    assertTrue(err().contains("--pruning-window is for --role light"), err());
    out.reset();
    assertEquals(0, main.run(List.of("node", "--help")));
    String help = out().replaceAll("\\s+", " ");
    assertTrue(
        help.contains("--pruning-window=D")
            && help.contains("Refused for full nodes and sequencers"),
        help);
    assertEquals(java.time.Duration.ofHours(337), Main.parseDuration("337h"));
  }

  @Test
  void aRuntimeFailureIsExitCodeOneWithTheReason(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertEquals(
        1,
        main.run(List.of("chain", "--count", "3", "--data-dir", file.resolve("store").toString())));
    assertTrue(err().startsWith("headersync chain: "), err());
    assertFalse(err().contains("Try '"), err());
    assertFalse(err().contains("\tat "), err());
  }

  @Test
  void completionScriptCoversCommandsAndOptions() {
    assertEquals(0, main.run(List.of("completion")));
    String script = out();
    assertTrue(script.contains("complete -F"), script.substring(0, Math.min(500, script.length())));
    for (String word :
        List.of("devnet", "node", "inspect", "chain", "--block-time", "--proposer-key", "evnode")) {
      assertTrue(script.contains(word), "completion lacks " + word);
    }
  }

  @Test
  void progressDurationsReadWell() {
    assertEquals("0s", Progress.duration(java.time.Duration.ZERO));
    assertEquals("42s", Progress.duration(java.time.Duration.ofSeconds(42)));
    assertEquals("6m02s", Progress.duration(java.time.Duration.ofSeconds(362)));
    assertEquals("1h05m", Progress.duration(java.time.Duration.ofMinutes(65)));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Progress terminal = new Progress(new PrintStream(b, true, StandardCharsets.UTF_8), true);
    terminal.line("height 1");
    terminal.line("height 2");
    terminal.end();
    assertEquals("\rheight 1\u001b[K\rheight 2\u001b[K\n", b.toString(StandardCharsets.UTF_8));
    assertEquals(1_000_000_000L, terminal.interval());
  }
}
