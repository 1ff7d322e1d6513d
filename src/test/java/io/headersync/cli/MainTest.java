package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PClient;
import io.headersync.service.P2PConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest extends CliTestBase {
  MainTest() {
    super(Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void chainThenInspect(@TempDir Path dir) {
    String dataDir = dir.resolve("data").toString();
    assertEquals(
        0,
        main.run(List.of("chain", "--count", "300", "--data-dir", dataDir, "--chain-id", "test")),
        err());
    assertTrue(out().contains("done: 300 headers"), out());
    assertTrue(out().contains("head 300"), out());
    out.reset();
    assertEquals(0, main.run(List.of("inspect", "--data-dir", dataDir, "--height", "7")), err());
    assertTrue(out().contains("  head   300"), out());
    assertTrue(out().contains("  tail   1"), out());
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
  void badFlagsPrintOneLineAndAHintNotAStackTrace() {
    assertEquals(2, main.run(List.of("chain", "--count", "many")));
    assertTrue(err().contains("--count") && err().contains("many"), err());
    assertTrue(err().contains("Try 'headersync chain --help'"), err());
    assertFalse(err().contains("Usage:"), err());
    assertFalse(err().contains("Exception"), err());
    err.reset();
    assertEquals(2, main.run(List.of("chain", "--colour", "red")));
    assertTrue(err().contains("Unknown option") && err().contains("'--colour'"), err());
    err.reset();
    assertEquals(2, main.run(List.of("launch")));
    assertTrue(err().contains("'launch'"), err());
  }

  @Test
  void inspectNamesAMissingStore(@TempDir Path dir) {
    assertEquals(1, main.run(List.of("inspect", "--data-dir", dir.resolve("nothing").toString())));
    assertTrue(err().contains("no store at") && err().contains("no such directory"), err());
  }

  @Test
  void chainWithoutDataDirUsesAFreshDirectoryEachTime() throws java.io.IOException {
    assertEquals(0, main.run(List.of("chain", "--count", "5")), err());
    assertEquals(0, main.run(List.of("chain", "--count", "5")), err());
    List<Path> dirs =
        out()
            .lines()
            .filter(l -> l.startsWith("inspect it: ./headersync inspect --data-dir "))
            .map(l -> Path.of(l.substring("inspect it: ./headersync inspect --data-dir ".length())))
            .toList();
    assertEquals(2, dirs.size(), out());
    assertNotEquals(dirs.get(0), dirs.get(1));
    for (Path d : dirs) { // the test leaves nothing behind in the temp dir
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(d)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      assertFalse(java.nio.file.Files.exists(d));
    }
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, main.run(List.of("help")));
    assertTrue(out().contains("Commands:"), out());
    assertTrue(out().contains("devnet") && out().contains("inspect"), out());
  }

  @Test
  void devnetRunsEveryRoleToTheHead(@TempDir Path dir) {
    Main live = newMain(Clock.systemUTC());
    assertEquals(
        0,
        live.run(
            List.of(
                "devnet",
                "--blocks",
                "30",
                "--block-time",
                "50ms",
                "--full",
                "1",
                "--light",
                "1",
                "--data-dir",
                dir.toString())),
        out() + err());
    assertTrue(out().contains("every node reached the head 30"), out());
    assertTrue(
        out().contains("full-1") && out().contains("light-1") && out().contains("sequencer"),
        out());
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
    assertTrue(err().contains("Missing required option: '--peers=LIST'"), err());
    err.reset();
    assertEquals(2, main.run(List.of("node", "--chain-id", "gm", "--peers", "/ip4/1.2.3.4/tcp/1")));
    assertTrue(err().contains("bad seed entries"), err());
    err.reset();
    assertEquals(
        2, main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--role", "archive")));
    assertTrue(err().contains("--role must be full, light or sequencer"), err());
    err.reset();
    assertEquals(
        2, main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--proposer-key", "abcd")));
    assertTrue(err().contains("--proposer-key must be a 32-byte Ed25519 public key in hex"), err());
    assertFalse(err().contains("Exception"), err());
  }

  @Test
  void nodeJoinsARunningNetworkAndInspectShowsWhatItSynced(@TempDir Path dir) throws Exception {
    Main live = newMain(Clock.systemUTC());
    P2PClient p2p =
        P2PClient.create(
            P2PConfig.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build(),
            NetworkProfile.SEED);
    HeaderSyncService<P2PSignedHeader> headers =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
            .p2p(p2p)
            .blockTime(Duration.ofMillis(100))
            .build();
    HeaderSyncService<P2PData> blocks =
        HeaderSyncService.builder(EvNodeTypes.P2P_DATA, "gm")
            .kind(NetworkProfile.SyncKind.DATA)
            .p2p(p2p)
            .blockTime(Duration.ofMillis(100))
            .build();
    try {
      p2p.start().get(10, TimeUnit.SECONDS);
      headers.start().get(10, TimeUnit.SECONDS);
      blocks.start().get(10, TimeUnit.SECONDS);
      HeaderSigner signer =
          HeaderSigner.builder()
              .key(SignerKey.generate(new Random(3)))
              .chainId("gm")
              .clock(Clock.systemUTC())
              .build();
      Block b = null;
      for (int i = 0; i < 20; i++) {
        b = b == null ? signer.genesis(List.of()) : signer.next(b, List.of());
        headers.writeToStoreAndBroadcast(b.p2pHeader()).get(10, TimeUnit.SECONDS);
        blocks.writeToStoreAndBroadcast(b.p2pData()).get(10, TimeUnit.SECONDS);
      }
      String data = dir.resolve("node").toString();
      String proposerKey = java.util.HexFormat.of().formatHex(signer.key().signer().rawPublicKey());
      assertEquals(
          0,
          live.run(
              List.of(
                  "node",
                  "--chain-id",
                  "gm",
                  "--peers",
                  p2p.addresses().get(0).toString(),
                  "--data-dir",
                  data,
                  "--listen",
                  "/ip4/127.0.0.1/tcp/0",
                  "--block-time",
                  "100ms",
                  "--seconds",
                  "3",
                  "--status-interval",
                  "500ms",
                  "--proposer-key",
                  proposerKey)),
          out() + err());
      assertTrue(out().contains("full node"), out());
      // The status line is formatted (no raw records); the last line is what the stores hold.
      assertTrue(
          out()
              .lines()
              .anyMatch(
                  l ->
                      l.matches(
                          "height [\\d,]+  data [\\d,]+  peers \\d+ \\(seeds 1, "
                              + "discovered \\d+\\)  [\\d.,]+ headers/s  .*")),
          out());
      assertFalse(out().contains("SyncState["), out());
      assertTrue(out().contains("stopped; stored heights: headers 20, data 20"), out());
      out.reset();
      assertEquals(
          0, live.run(List.of("inspect", "--data-dir", dir.resolve("node").toString())), err());
      assertTrue(out().contains("  head   20"), out());
      assertTrue(
          out().contains("data     " + dir.resolve("node").resolve("data").toAbsolutePath()),
          out());
      assertTrue(out().contains("signature       valid"), out());
      assertTrue(out().contains("signer key      " + proposerKey), out());
    } finally {
      headers.close();
      blocks.close();
      p2p.close();
    }
  }
}
