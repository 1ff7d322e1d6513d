package io.headersync.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.libp2p.Multiaddr;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import io.headersync.testkit.KvStateMachine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's command-line parts: {@code genesis}, {@code node --role sequencer}, devnet's key and
 * genesis.
 */
class CliSequencerTest extends CliTestBase {
  private static Path passphrase(Path dir) throws IOException {
    return Files.writeString(dir.resolve("passphrase.txt"), "correct horse battery\n");
  }

  /**
   * A new ev-node signer key file under {@code dir/keys}, encrypted with the passphrase in {@code
   * pass}.
   */
  private static Path signerKey(Path dir, Path pass) {
    Path keys = dir.resolve("keys");
    SignerKeyFile.create(
        keys,
        SignerKey.generate(new SecureRandom()),
        SignerKeyFile.readPassphrase(pass),
        new SecureRandom());
    return keys;
  }

  @Test
  void genesisCreatesAKeyAndWritesAGenesisNamingIt(@TempDir Path dir) throws IOException {
    Path pass = passphrase(dir);
    Path keys = dir.resolve("keys");
    Path genesisFile = dir.resolve("config").resolve("genesis.json");
    assertEquals(
        0,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                keys.toString(),
                "--passphrase-file",
                pass.toString(),
                "--create-key",
                "--chain-id",
                "test-1",
                "--initial-height",
                "5",
                "--start-time",
                "2026-01-02T03:04:05Z",
                "--out",
                genesisFile.toString())),
        err());
    SignerKey key = SignerKeyFile.load(keys, SignerKeyFile.readPassphrase(pass));
    Genesis g = Genesis.read(genesisFile);
    assertEquals("test-1", g.chainId());
    assertEquals(5, g.initialHeight());
    assertEquals(Instant.parse("2026-01-02T03:04:05Z"), g.startTime());
    assertTrue(g.isProposer(key));
    assertArrayEquals(key.address(), g.proposerAddress());
    assertTrue(
        out().contains("created signer key " + keys.resolve("signer.json").toAbsolutePath()),
        out());
    assertTrue(
        out().contains("proposer address " + HexFormat.of().formatHex(key.address())), out());
    assertTrue(
        out().contains("public key       " + HexFormat.of().formatHex(key.publicKey())), out());

    // The key exists now: --create-key keeps it, and the passphrase is checked.
    out.reset();
    Path again = dir.resolve("again.json");
    assertEquals(
        0,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                keys.toString(),
                "--passphrase-file",
                pass.toString(),
                "--create-key",
                "--chain-id",
                "test-1",
                "--out",
                again.toString())),
        err());
    assertFalse(out().contains("created signer key"), out());
    assertTrue(Genesis.read(again).isProposer(key));
    // Nor is an existing genesis replaced without --force.
    assertEquals(
        1,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                keys.toString(),
                "--chain-id",
                "test-1",
                "--out",
                again.toString())));
    assertTrue(err().contains("exists; choose another --out or add --force"), err());
    err.reset();
    assertEquals(
        0,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                keys.toString(),
                "--chain-id",
                "test-2",
                "--out",
                again.toString(),
                "--force")),
        err());
    assertEquals("test-2", Genesis.read(again).chainId());
  }

  @Test
  void genesisRefusesWhatItCannotDo(@TempDir Path dir) throws IOException {
    Path pass = passphrase(dir);
    String out = dir.resolve("g.json").toString();
    assertEquals(
        1,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                dir.resolve("none").toString(),
                "--chain-id",
                "x",
                "--out",
                out)));
    assertTrue(err().contains("no signer key at") && err().contains("add --create-key"), err());
    err.reset();
    assertEquals(
        2,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                dir.resolve("k").toString(),
                "--create-key",
                "--chain-id",
                "x",
                "--out",
                out)));
    assertTrue(err().contains("--create-key needs --passphrase-file"), err());
    err.reset();
    assertEquals(
        2,
        main.run(
            List.of(
                "genesis", "--signer-key", "k", "--chain-id", "x", "--start-time", "yesterday")));
    assertTrue(err().contains("not an RFC 3339 time"), err());
    err.reset();
    assertEquals(
        2,
        main.run(
            List.of("genesis", "--signer-key", "k", "--chain-id", "x", "--passphrase", "secret")));
    assertTrue(err().contains("Unknown option"), err()); // never on the command line
    err.reset();
    assertEquals(
        0,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                dir.resolve("k").toString(),
                "--create-key",
                "--passphrase-file",
                pass.toString(),
                "--chain-id",
                "x",
                "--out",
                out)),
        err());
    Path wrong = Files.writeString(dir.resolve("wrong.txt"), "not it");
    assertEquals(
        1,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                dir.resolve("k").toString(),
                "--passphrase-file",
                wrong.toString(),
                "--chain-id",
                "x",
                "--out",
                dir.resolve("g2.json").toString())));
    assertTrue(err().contains("wrong passphrase"), err());
    assertFalse(Files.exists(dir.resolve("g2.json")));
  }

  @Test
  void aSequencerNodeProducesBlocksAndResumesAfterItsStoredHead(@TempDir Path dir)
      throws IOException {
    Path pass = passphrase(dir);
    Path keys = signerKey(dir, pass);
    Path data = dir.resolve("seq");
    List<String> cmd =
        List.of(
            "node",
            "--role",
            "sequencer",
            "--signer-key",
            keys.toString(),
            "--passphrase-file",
            pass.toString(),
            "--chain-id",
            "kv",
            "--data-dir",
            data.toString(),
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--block-time",
            "10ms",
            "--kv",
            "--discovery",
            "off",
            "--blocks");
    assertEquals(0, main.run(concat(cmd, "12")), out() + err());
    assertTrue(out().contains("wrote " + data.resolve("genesis.json").toAbsolutePath()), out());
    assertTrue(out().contains("first block at height 1"), out());
    assertTrue(out().contains("stopped; stored heights: headers 12, data 12"), out());
    Genesis g = Genesis.read(data.resolve("genesis.json"));
    assertTrue(g.isProposer(SignerKeyFile.publicKey(keys)));
    out.reset();
    assertEquals(0, main.run(concat(cmd, "5")), out() + err());
    assertTrue(out().contains("resuming after height 12"), out());
    assertTrue(out().contains("stopped; stored heights: headers 17, data 17"), out());
    assertFalse(out().contains("wrote "), out()); // the genesis of the first run is reused
    assertEquals("", err());
  }

  @Test
  void aSequencerRefusesAGenesisOfAnotherKey(@TempDir Path dir) throws IOException {
    Path pass = passphrase(dir);
    Path keys = signerKey(dir, pass);
    Path other = dir.resolve("genesis.json");
    Genesis.builder("gm")
        .startTime(Instant.now())
        .proposer(SignerKey.generate(new SecureRandom()))
        .build()
        .write(other);
    assertEquals(
        1,
        main.run(
            List.of(
                "node",
                "--role",
                "sequencer",
                "--signer-key",
                keys.toString(),
                "--passphrase-file",
                pass.toString(),
                "--genesis",
                other.toString(),
                "--data-dir",
                dir.resolve("d").toString(),
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--blocks",
                "1")));
    assertTrue(
        err().contains("proposer_address")
            && err().contains("is not the address of the signer key"),
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
                keys.toString(),
                "--chain-id",
                "gm")));
    assertTrue(err().contains("needs --passphrase-file"), err());
    err.reset();
    assertEquals(2, main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--kv")));
    assertTrue(err().contains("--kv is for --role sequencer only"), err());
    err.reset();
    assertEquals(
        2,
        main.run(List.of("node", "--chain-id", "gm", "--peers", "x", "--sync-from-height", "5")));
    assertTrue(err().contains("--sync-from-height is for --role light"), err());
  }

  @Test
  void aFullNodeSyncsAndReExecutesWhatASequencerNodeProduces(@TempDir Path dir) throws Exception {
    Path pass = passphrase(dir);
    Path keys = dir.resolve("keys");
    Path genesisFile = dir.resolve("genesis.json");
    assertEquals(
        0,
        main.run(
            List.of(
                "genesis",
                "--signer-key",
                keys.toString(),
                "--passphrase-file",
                pass.toString(),
                "--create-key",
                "--chain-id",
                "kv",
                "--out",
                genesisFile.toString())),
        err());
    Genesis genesis = Genesis.read(genesisFile);
    Path data = dir.resolve("seq");
    CompletableFuture<String> listening = out.line("listening on ");
    CompletableFuture<Integer> sequencer =
        CompletableFuture.supplyAsync(
            () ->
                main.run(
                    List.of(
                        "node",
                        "--role",
                        "sequencer",
                        "--signer-key",
                        keys.toString(),
                        "--passphrase-file",
                        pass.toString(),
                        "--genesis",
                        genesisFile.toString(),
                        "--data-dir",
                        data.toString(),
                        "--listen",
                        "/ip4/127.0.0.1/tcp/0",
                        "--block-time",
                        "50ms",
                        "--kv",
                        "--profile",
                        "evnode",
                        "--discovery",
                        "off",
                        "--seconds",
                        "120")));
    String line = listening.get(60, TimeUnit.SECONDS);
    String address = line.substring("listening on ".length()).split(" ")[0];
    EvNodeSync full =
        EvNodeSync.builder("kv")
            .role(EvNodeSync.Role.FULL)
            .profile(NetworkProfile.EVNODE)
            .genesis(genesis)
            .p2p(
                P2PConfig.builder()
                    .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .seeds(address)
                    .build())
            .dataDir(dir.resolve("full"))
            .blockTime(Duration.ofMillis(50))
            .build();
    int rc;
    try {
      full.start().get(60, TimeUnit.SECONDS);
      full.awaitHeight(20).get(60, TimeUnit.SECONDS);
      // The full node re-executes the demo transactions and arrives at each app hash the sequencer
      // put in.
      KvStateMachine kv = new KvStateMachine();
      Hash root = kv.initChain();
      for (long h = 1; h <= 20; h++) {
        P2PSignedHeader header = full.headers().store().getByHeight(h).orElseThrow();
        assertEquals(root, header.header().appHash(), "app hash of block " + h);
        P2PData d = full.data().orElseThrow().store().getByHeight(h).orElseThrow();
        root = kv.execute(d.data().txs());
      }
    } finally {
      main.stop();
      full.close();
      rc = sequencer.get(60, TimeUnit.SECONDS); // stopped before the temp dir goes
    }
    assertEquals(0, rc, out() + err());
    assertTrue(
        out()
            .contains(
                "sequencer "
                    + HexFormat.of().formatHex(SignerKeyFile.publicKey(keys).rawPublicKey())),
        out());
  }

  @Test
  void devnetPrintsItsKeyWritesItsGenesisAndGoesOnInTheSameDataDir(@TempDir Path dir)
      throws IOException {
    Path data = dir.resolve("devnet");
    Path genesisOut = dir.resolve("out").resolve("genesis.json");
    List<String> cmd =
        List.of(
            "devnet",
            "--block-time",
            "20ms",
            "--full",
            "1",
            "--light",
            "1",
            "--data-dir",
            data.toString(),
            "--blocks");
    List<String> first = new java.util.ArrayList<>(concat(cmd, "10"));
    first.addAll(List.of("--genesis-out", genesisOut.toString(), "--chain-id", "dev"));
    assertEquals(0, main.run(first), out() + err());
    Genesis g = Genesis.read(genesisOut);
    assertEquals("dev", g.chainId());
    assertTrue(out().contains("address " + HexFormat.of().formatHex(g.proposerAddress())), out());
    assertTrue(out().contains("every node reached the head 10"), out());
    out.reset();
    assertEquals(0, main.run(concat(cmd, "6")), out() + err());
    assertTrue(out().contains("resuming after height 10"), out());
    assertTrue(out().contains("every node reached the head 16"), out());
    out.reset();
    assertEquals(
        2,
        main.run(
            concat(
                List.of("devnet", "--chain-id", "other", "--data-dir", data.toString(), "--blocks"),
                "3")));
    assertTrue(err().contains("holds devnet chain \"dev\", not \"other\""), err());
    err.reset();
    Path notDevnet = Files.createDirectories(dir.resolve("stuff"));
    Files.writeString(notDevnet.resolve("notes.txt"), "mine");
    assertEquals(
        2, main.run(List.of("devnet", "--data-dir", notDevnet.toString(), "--blocks", "3")));
    assertTrue(err().contains("is not empty and holds no devnet"), err());
  }

  @Test
  void aNodeServesItsMetricsForPrometheus(@TempDir Path dir) throws Exception {
    Path pass = passphrase(dir);
    Path keys = signerKey(dir, pass);
    CompletableFuture<String> serving = out.line("metrics on http://");
    CompletableFuture<String> produced = out.line("height 3  produced 3");
    CompletableFuture<Integer> node =
        CompletableFuture.supplyAsync(
            () ->
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
                        "m",
                        "--data-dir",
                        dir.resolve("seq").toString(),
                        "--listen",
                        "/ip4/127.0.0.1/tcp/0",
                        "--discovery",
                        "off",
                        "--block-time",
                        "20ms",
                        "--status-interval",
                        "1ms",
                        "--metrics",
                        "127.0.0.1:0",
                        "--seconds",
                        "120")));
    int rc;
    try {
      String url = serving.get(60, TimeUnit.SECONDS).substring("metrics on ".length()).trim();
      produced.get(60, TimeUnit.SECONDS);
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      String text = r.body();
      assertTrue(text.contains("# TYPE hdr_store_head_height_gauge gauge"), text);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  "hdr_store_head_height_gauge\\{store=\"headers\"} " + "([0-9.E]+)")
              .matcher(text);
      assertTrue(m.find(), text);
      assertTrue(Double.parseDouble(m.group(1)) >= 3, text);
      assertTrue(
          text.matches("(?s).*# TYPE hdr_p2p_sub_msg_num_counter(_total)? counter\\n.*"), text);
      assertTrue(
          text.contains("hdr_p2p_sub_msg_num_counter_total{status=\"accept\",store=\"headers\"}"),
          text);
      assertTrue(text.matches("(?s).*\\nheadersync_p2p_peers_connected 0(\\.0)?\\n.*"), text);
      // go-header's histograms: the sequencer's store wrote its blocks, its own broadcasts were
      // accepted.
      assertTrue(text.contains("# TYPE hdr_store_flush_time_hist histogram"), text);
      java.util.regex.Matcher flushes =
          java.util.regex.Pattern.compile(
                  "hdr_store_flush_time_hist_count\\{amount=\"0\",failed=\"false\",store=\"headers\"} ([0-9.E]+)")
              .matcher(text);
      assertTrue(flushes.find(), text);
      assertTrue(Double.parseDouble(flushes.group(1)) >= 3, text);
      assertTrue(
          text.contains(
              "hdr_store_flush_time_hist_bucket{amount=\"0\",failed=\"false\",store=\"headers\","
                  + "le=\"+Inf\"}"),
          text);
      assertTrue(text.contains("# TYPE hdr_p2p_sub_msg_size_hist histogram"), text);
    } finally {
      main.stop();
      rc = node.get(60, TimeUnit.SECONDS); // stopped before the temp dir goes
    }
    assertEquals(0, rc, out() + err());
  }

  @Test
  void aBadMetricsAddressIsAUsageError(@TempDir Path dir) throws IOException {
    Path pass = passphrase(dir);
    Path keys = signerKey(dir, pass);
    assertEquals(
        2,
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
                "m",
                "--data-dir",
                dir.resolve("seq").toString(),
                "--listen",
                "/ip4/127.0.0.1/tcp/0",
                "--discovery",
                "off",
                "--metrics",
                "26660",
                "--blocks",
                "1")));
    assertTrue(err().contains("--metrics must be HOST:PORT, e.g. 127.0.0.1:26660"), err());
    err.reset();
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      assertEquals(
          1,
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
                  "m",
                  "--data-dir",
                  dir.resolve("seq").toString(),
                  "--listen",
                  "/ip4/127.0.0.1/tcp/0",
                  "--discovery",
                  "off",
                  "--metrics",
                  addr,
                  "--blocks",
                  "1")));
      assertTrue(
          err().contains("cannot serve metrics on " + addr + ": address already in use"), err());
    }
  }

  private static List<String> concat(List<String> a, String last) {
    List<String> l = new java.util.ArrayList<>(a);
    l.add(last);
    return l;
  }
}
