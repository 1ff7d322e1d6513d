package io.headersync.cli;

import io.headersync.HeaderSyncException;
import io.headersync.Verification;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.Block;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.evnode.SignerKey;
import io.headersync.store.RocksDbStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code headersync} command line.
 *
 * <pre>
 * headersync devnet  [--chain-id gm] [--blocks 200 | --seconds S] [--block-time 100ms] [--full 2] [--light 1]
 *                    [--profile seed|evnode] [--data-dir DIR]
 * headersync node    --chain-id ID --peers MULTIADDRS [--role full|light] [--profile seed|evnode]
 *                    [--data-dir DIR] [--listen MULTIADDR] [--block-time 1s] [--trusted-hash HEX]
 *                    [--proposer-key HEX] [--seconds S]
 * headersync chain   [--chain-id gm] [--count 100000] [--data-dir DIR] [--block-time 100ms] [--seed devnet]
 * headersync inspect --data-dir DIR [--height N] [--prefix headerEx]
 * </pre>
 *
 * Exit codes: 0 success, 1 failure (the message says why), 2 bad usage.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: headersync <command> [options]",
      "",
      "commands:",
      "  devnet   a sequencer, full nodes and a light node in one process on loopback TCP, with live progress",
      "           --chain-id ID       chain id (default gm)",
      "           --blocks N          stop after the sequencer produced N blocks (default 200)",
      "           --seconds S         stop after S seconds instead",
      "           --block-time D      time between blocks, e.g. 100ms, 1s (default 100ms)",
      "           --full N            full nodes (default 2)",
      "           --light N           light nodes; they join when half the blocks are out (default 1)",
      "           --profile P         seed (/<chainId>/header-sub/v0.0.1, default) or evnode (/<chainId>-headerSync/...)",
      "           --data-dir DIR      where the nodes' RocksDB stores go (default: a new temporary directory)",
      "  node     join an existing network and sync, until Ctrl-C",
      "           --chain-id ID       chain id (required)",
      "           --peers LIST        comma-separated multiaddrs with /p2p/<peer id> (required)",
      "           --role R            full (headers and data, default) or light (headers)",
      "           --profile P         seed (default) or evnode",
      "           --data-dir DIR      stores and node key (default ./headersync-data)",
      "           --listen ADDR       listen multiaddr (default /ip4/0.0.0.0/tcp/7676)",
      "           --block-time D      the network's block time (default 1s)",
      "           --trusted-hash HEX  initialise an empty store from this header instead of the genesis",
      "           --proposer-key HEX  the sequencer's Ed25519 public key (as inspect prints it): every header",
      "                               must carry it and a valid signature",
      "           --seconds S         stop after S seconds",
      "           --discovery on|off  find the chain's peers through the Kademlia DHT, as ev-node (default on)",
      "  chain    sign, verify and store an ev-node header chain, as a sequencer does",
      "           --chain-id ID       chain id (default gm)",
      "           --count N           headers to produce (default 100000)",
      "           --data-dir DIR      RocksDB directory; must not hold headers yet (default: a new temporary directory)",
      "           --block-time D      time between headers, e.g. 100ms, 1s (default 100ms)",
      "           --seed TEXT         the signing key is derived from this text (default devnet; not for production)",
      "  inspect  print a store's head, tail, height and one header",
      "           --data-dir DIR      RocksDB directory (required)",
      "           --height N          the header to print (default: the head)",
      "           --prefix P          the store's key prefix (default headerEx; headerSync for --profile evnode)",
      "  help     print this text",
      "");

  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  Main(PrintStream out, PrintStream err, Clock clock) {
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  public static void main(String[] argv) {
    System.exit(new Main(System.out, System.err, Clock.systemUTC()).run(Arrays.asList(argv)));
  }

  int run(List<String> argv) {
    if (argv.isEmpty() || argv.get(0).equals("help") || argv.get(0).equals("--help") || argv.get(0).equals("-h")) {
      out.print(USAGE);
      return argv.isEmpty() ? 2 : 0;
    }
    List<String> rest = argv.subList(1, argv.size());
    try {
      switch (argv.get(0)) {
        case "devnet":
          return devnet(new Args(rest, Set.of("chain-id", "blocks", "seconds", "block-time", "full", "light",
              "profile", "data-dir")));
        case "node":
          return new NodeCommand(out, clock).run(new Args(rest, Set.of("chain-id", "peers", "role", "profile",
              "data-dir", "listen", "block-time", "trusted-hash", "proposer-key", "seconds", "discovery")));
        case "chain":
          return chain(new Args(rest, Set.of("chain-id", "count", "data-dir", "block-time", "seed")));
        case "inspect":
          return inspect(new Args(rest, Set.of("data-dir", "height", "prefix")));
        default:
          throw new UsageException("unknown command \"" + argv.get(0) + "\"");
      }
    } catch (UsageException e) {
      err.println("headersync: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (HeaderSyncException e) {
      err.println("headersync: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("headersync: interrupted");
      return 1;
    }
  }

  private int devnet(Args args) throws InterruptedException {
    if (args.has("blocks") && args.has("seconds")) {
      throw new UsageException("give --blocks or --seconds, not both");
    }
    long blocks = args.positiveLong("blocks", 200);
    Duration runFor = args.has("seconds") ? Duration.ofSeconds(args.positiveLong("seconds", 1)) : null;
    long full = args.nonNegativeLong("full", 2);
    long light = args.nonNegativeLong("light", 1);
    if (full + light > 16) {
      throw new UsageException("at most 16 followers in one devnet, got " + (full + light));
    }
    Path dir = args.has("data-dir") ? Path.of(args.string("data-dir", "")) : tempDir("headersync-devnet-");
    return new Devnet(out, clock, args.string("chain-id", "gm"), NodeCommand.parseProfile(args.string("profile", "seed")),
        args.duration("block-time", Duration.ofMillis(100)), blocks, runFor, (int) full, (int) light, dir).run();
  }

  private int chain(Args args) {
    String chainId = args.string("chain-id", "gm");
    long count = args.positiveLong("count", 100_000);
    Path dir = args.has("data-dir") ? Path.of(args.string("data-dir", "")) : tempDir("headersync-chain-");
    Duration blockTime = args.duration("block-time", Duration.ofMillis(100));
    SignerKey key = SignerKey.fromSeed(sha256(args.string("seed", "devnet")));
    // Times end now, so every header passes the "not from the future" checks.
    Instant start = clock.instant().minus(blockTime.multipliedBy(count));
    HeaderSigner signer = HeaderSigner.builder().key(key).chainId(chainId).startTime(start).blockTime(blockTime).build();
    Verification<P2PSignedHeader> verification = new Verification<>(EvNodeTypes.P2P_SIGNED_HEADER, clock);

    try (RocksDbStore<P2PSignedHeader> store = RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir).build()) {
      Optional<P2PSignedHeader> existing = store.head();
      if (existing.isPresent()) {
        throw new UsageException(dir + " already holds headers " + store.tail().orElseThrow().height() + ".."
            + existing.get().height() + "; inspect it or choose another --data-dir");
      }
      out.printf("chain %s: producing %,d signed ev-node headers into %s (proposer %s)%n", chainId, count,
          dir.toAbsolutePath(), HexFormat.of().formatHex(key.address()).toUpperCase());
      long signNanos = 0;
      long verifyNanos = 0;
      long t0 = System.nanoTime();
      long lastReport = t0;
      Block prev = null;
      P2PSignedHeader trusted = null;
      CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
      List<P2PSignedHeader> batch = new ArrayList<>(64);
      for (long i = 0; i < count; i++) {
        long s = System.nanoTime();
        prev = prev == null ? signer.genesis(List.of()) : signer.next(prev, List.of());
        P2PSignedHeader h = prev.p2pHeader();
        long v = System.nanoTime();
        signNanos += v - s;
        h.validate(clock);
        h.verifySignature();
        if (trusted != null) {
          verification.verify(trusted, h);
        }
        verifyNanos += System.nanoTime() - v;
        trusted = h;
        batch.add(h);
        if (batch.size() == 64 || i == count - 1) {
          lastAppend = store.append(batch);
          batch = new ArrayList<>(64);
        }
        long now = System.nanoTime();
        if (now - lastReport >= 1_000_000_000L) {
          lastReport = now;
          out.printf("  height %,d  %,.0f headers/s%n", h.height(), (i + 1) / ((now - t0) / 1e9));
        }
      }
      lastAppend.join();
      store.flush();
      double total = (System.nanoTime() - t0) / 1e9;
      P2PSignedHeader head = store.head().orElseThrow();
      out.printf("done: %,d headers in %.2f s (%,.0f headers/s end to end)%n", count, total, count / total);
      out.printf("  sign   %,.0f headers/s%n", count / (signNanos / 1e9));
      out.printf("  verify %,.0f headers/s (validate + Ed25519 signature + go-header verify)%n",
          count / (verifyNanos / 1e9));
      out.printf("  store  head %,d %s, tail %,d%n", head.height(), head.hash(), store.tail().orElseThrow().height());
      out.printf("inspect it: ./headersync inspect --data-dir %s%n", dir.toAbsolutePath());
      return 0;
    }
  }

  private int inspect(Args args) {
    if (!args.has("data-dir")) {
      throw new UsageException("inspect needs --data-dir");
    }
    Path dir = Path.of(args.string("data-dir", ""));
    if (!Files.isDirectory(dir)) {
      throw new UsageException("no store at " + dir.toAbsolutePath() + " (run `headersync chain` first?)");
    }
    try (RocksDbStore<P2PSignedHeader> store = RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER).path(dir)
        .prefix(args.string("prefix", RocksDbStore.DEFAULT_PREFIX)).build()) {
      Optional<P2PSignedHeader> head = store.head();
      if (head.isEmpty()) {
        out.println("store " + dir.toAbsolutePath() + " is empty");
        return 0;
      }
      out.printf("store   %s (prefix %s)%n", dir.toAbsolutePath(), store.prefix());
      out.printf("tail    %,d %s%n", store.tail().orElseThrow().height(), store.tail().orElseThrow().hash());
      out.printf("head    %,d %s%n", head.get().height(), head.get().hash());
      out.printf("height  %,d%n", store.height());
      long height = args.positiveLong("height", head.get().height());
      P2PSignedHeader h = store.getByHeight(height).orElseThrow(() -> new UsageException(
          "height " + height + " is not stored (tail " + store.tail().orElseThrow().height() + ", head "
              + head.get().height() + ")"));
      out.println();
      out.printf("header %,d%n", h.height());
      out.printf("  chain id        %s%n", h.chainId());
      out.printf("  time            %s%n", h.time());
      out.printf("  hash            %s%n", h.hash());
      out.printf("  last hash       %s%n", h.lastHeaderHash());
      out.printf("  data hash       %s%n", h.header().dataHash());
      out.printf("  proposer        %s%n", HexFormat.of().formatHex(h.header().proposerAddress()).toUpperCase());
      Signer signer = h.signedHeader().signer();
      out.printf("  signer key      %s%n", signer.isEmpty() ? "-" : HexFormat.of().formatHex(signer.rawPublicKey()));
      out.printf("  da height hint  %d%n", h.daHeightHint());
      String sig;
      try {
        h.verifySignature();
        sig = "valid";
      } catch (HeaderSyncException e) {
        sig = "INVALID: " + e.getMessage();
      }
      out.printf("  signature       %s%n", sig);
      return 0;
    }
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (java.io.IOException e) {
      throw new HeaderSyncException("cannot create a temporary data directory: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
