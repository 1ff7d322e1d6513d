package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.store.RocksDbStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} and {@code inspect verify} (issue 15 item 2): read-only, finds the stores, walks
 * them.
 */
class CliInspectTest extends CliTestBase {

  /**
   * A sequencer's data dir with {@code blocks} KV blocks, made by {@code node --role sequencer}.
   */
  private Path sequencerDir(Path dir, String profile, int blocks) throws IOException {
    Path pass = Files.writeString(dir.resolve("pass.txt"), "pw");
    Path keys = dir.resolve("keys");
    SignerKeyFile.create(
        keys,
        SignerKey.generate(new SecureRandom()),
        SignerKeyFile.readPassphrase(pass),
        new SecureRandom());
    Path data = dir.resolve("node");
    assertEquals(
        0,
        main.run(
            List.of(
                "node",
                "--role",
                "sequencer",
                "--signer-key",
                keys.toString(),
                "--passphrase-file",
                pass.toString(),
                "--chain-id",
                "insp",
                "--data-dir",
                data.toString(),
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--block-time",
                "5ms",
                "--kv",
                "--discovery",
                "off",
                "--profile",
                profile,
                "--blocks",
                Integer.toString(blocks))),
        err());
    out.reset();
    return data;
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.count();
    }
  }

  @Test
  void inspectNeverCreatesAStore(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing");
    assertEquals(1, main.run(List.of("inspect", "--data-dir", missing.toString())));
    assertTrue(err().contains("no such directory"), err());
    assertFalse(Files.exists(missing));
    err.reset();
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(1, main.run(List.of("inspect", "--data-dir", empty.toString())));
    assertTrue(err().contains("neither a RocksDB directory nor a node's data directory"), err());
    assertEquals(1, entries(empty));
    err.reset();
    assertEquals(1, main.run(List.of("inspect", "verify", "--data-dir", empty.toString())));
    assertEquals(1, entries(empty));
  }

  @Test
  void findsTheHeaderAndDataStoresOfANodeAndLeavesThemAsTheyWere(@TempDir Path dir)
      throws IOException {
    for (String profile : List.of("seed", "evnode")) {
      Path data = sequencerDir(Files.createDirectories(dir.resolve(profile)), profile, 12);
      long before = entries(data);
      assertEquals(
          0, main.run(List.of("inspect", "--data-dir", data.toString(), "--height", "7")), err());
      String headerPrefix = profile.equals("seed") ? "headerEx" : "headerSync";
      String dataPrefix = profile.equals("seed") ? "blockEx" : "dataSync";
      assertTrue(
          out()
              .contains(
                  "headers  "
                      + data.resolve("headers").toAbsolutePath()
                      + " (prefix "
                      + headerPrefix
                      + ")"),
          out());
      assertTrue(
          out()
              .contains(
                  "data     "
                      + data.resolve("data").toAbsolutePath()
                      + " (prefix "
                      + dataPrefix
                      + ")"),
          out());
      assertTrue(out().contains("  head   12 "), out());
      assertTrue(out().contains("header 7\n") && out().contains("data 7\n"), out());
      assertTrue(out().contains("chain id        insp"), out());
      assertTrue(out().contains("signature       valid"), out());
      assertTrue(out().lines().anyMatch(l -> l.startsWith("  txs ")), out());
      assertEquals(before, entries(data), "inspect wrote into the node's data dir");
      out.reset();
      // One RocksDB directory works too, and a data store alone.
      assertEquals(
          0, main.run(List.of("inspect", "--data-dir", data.resolve("data").toString())), err());
      assertTrue(out().contains("data 12\n") && !out().contains("header 12"), out());
      out.reset();
    }
  }

  @Test
  void listsARangeOfHeights(@TempDir Path dir) throws IOException {
    Path data = sequencerDir(dir, "seed", 10);
    assertEquals(
        0,
        main.run(List.of("inspect", "--data-dir", data.toString(), "--from", "3", "--to", "7")),
        err());
    List<String> rows = out().lines().filter(l -> l.matches("\\s+\\d+\\s+\\d{4}-.*")).toList();
    assertEquals(5, rows.size(), out());
    assertTrue(rows.get(0).trim().startsWith("3 ") && rows.get(4).trim().startsWith("7 "), out());
    err.reset();
    assertEquals(2, main.run(List.of("inspect", "--data-dir", data.toString(), "--from", "3")));
    assertTrue(err().contains("give --from and --to together"), err());
  }

  @Test
  void readsAStoreARunningNodeHoldsOpen(@TempDir Path dir) {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(1)))
            .chainId("open")
            .clock(Clock.systemUTC())
            .build();
    try (RocksDbStore<P2PSignedHeader> store =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir.resolve("headers")).build()) {
      store.append(chain(signer, 1, 8, null)).join();
      store.flush();
      assertEquals(0, main.run(List.of("inspect", "--data-dir", dir.toString())), err());
      assertTrue(out().contains("  head   8 "), out());
    }
  }

  @Test
  void verifyPassesAGoodStoreAndChecksTheProposer(@TempDir Path dir) throws IOException {
    Path data = sequencerDir(dir, "evnode", 15);
    assertEquals(0, main.run(List.of("inspect", "verify", "--data-dir", data.toString())), err());
    assertTrue(
        out().contains("ok: 15 headers (tail 1, head 15), signatures valid; 15 data"), out());
    out.reset();
    assertEquals(
        0,
        main.run(
            List.of(
                "inspect",
                "verify",
                "--data-dir",
                data.toString(),
                "--genesis",
                data.resolve("genesis.json").toString())),
        err());
    assertTrue(out().contains("signed by the proposer"), out());
    String other = HexFormat.of().formatHex(SignerKey.generate(new Random(9)).publicKey());
    assertEquals(
        1,
        main.run(
            List.of("inspect", "verify", "--data-dir", data.toString(), "--proposer-key", other)));
    assertTrue(err().contains("FAULT at height 1 of the headers store"), err());
    assertTrue(err().contains("not by the expected proposer"), err());
  }

  @Test
  void verifyStopsAtTheFirstBrokenLinkNamingItsHeight(@TempDir Path dir) {
    HeaderSigner a =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(1)))
            .chainId("v")
            .startTime(Instant.now().minusSeconds(60))
            .blockTime(Duration.ofSeconds(1))
            .build();
    HeaderSigner b =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(2)))
            .chainId("v")
            .startTime(Instant.now().minusSeconds(60))
            .blockTime(Duration.ofSeconds(1))
            .build();
    List<P2PSignedHeader> headers = new ArrayList<>(chain(a, 1, 5, null));
    headers.addAll(chain(b, 1, 9, null).subList(5, 9)); // heights 6..9 of another chain
    try (RocksDbStore<P2PSignedHeader> store =
        RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir.resolve("store")).build()) {
      store.append(headers).join();
    }
    assertEquals(
        1, main.run(List.of("inspect", "verify", "--data-dir", dir.resolve("store").toString())));
    assertTrue(
        err().contains("FAULT at height 6 of the headers store") && err().contains("not linked"),
        err());
    assertFalse(out().contains("ok:"), out());
  }

  @Test
  void aDevnetDirectoryNamesItsNodes(@TempDir Path dir) {
    assertEquals(
        0,
        main.run(
            List.of(
                "devnet",
                "--blocks",
                "3",
                "--block-time",
                "20ms",
                "--full",
                "1",
                "--light",
                "0",
                "--data-dir",
                dir.toString())),
        out() + err());
    assertEquals(1, main.run(List.of("inspect", "--data-dir", dir.toString())));
    assertTrue(
        err()
            .contains(
                "it holds the node directories full-1, sequencer; give one of them as --data-dir"),
        err());
  }

  private static List<P2PSignedHeader> chain(HeaderSigner signer, long from, long to, Block start) {
    List<P2PSignedHeader> l = new ArrayList<>();
    Block b = start;
    for (long h = 1; h <= to; h++) {
      b = b == null ? signer.genesis(List.of()) : signer.next(b, List.of());
      if (h >= from) {
        l.add(b.p2pHeader());
      }
    }
    return l;
  }
}
