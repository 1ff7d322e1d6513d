package io.headersync.cli;

import io.headersync.Hash;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderSyncService;
import io.headersync.NetworkProfile;
import io.headersync.P2PConfig;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.internal.Await;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.libp2p.NodeKeyFile;
import io.headersync.libp2p.PrivateKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code headersync node}: joins an existing network as a full node (headers and data) or a light
 * node (headers), with RocksDB stores and a node key under the data directory, and prints progress
 * until stopped (Ctrl-C stops it gracefully) or until {@code --seconds} pass.
 */
final class NodeCommand {
  private final PrintStream out;
  private final Clock clock;

  NodeCommand(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  int run(Args args) throws InterruptedException {
    if (!args.has("chain-id") || !args.has("peers")) {
      throw new UsageException("node needs --chain-id and --peers");
    }
    String chainId = args.string("chain-id", "");
    NetworkProfile profile = parseProfile(args.string("profile", "seed"));
    String role = args.string("role", "full");
    if (!role.equals("full") && !role.equals("light")) {
      throw new UsageException("--role must be full or light, got \"" + role + "\"");
    }
    Path dir = Path.of(args.string("data-dir", "headersync-data"));
    Duration blockTime = args.duration("block-time", Duration.ofSeconds(1));
    long seconds = args.has("seconds") ? args.positiveLong("seconds", 1) : 0;
    @Nullable Hash trusted = null;
    if (args.has("trusted-hash")) {
      try {
        trusted = Hash.parse(args.string("trusted-hash", ""));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--trusted-hash: " + e.getMessage());
      }
    }
    @Nullable Signer proposer = null;
    if (args.has("proposer-key")) {
      try {
        proposer = Signer.ofEd25519(HexFormat.of().parseHex(args.string("proposer-key", "")));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--proposer-key must be a 32-byte Ed25519 public key in hex: " + e.getMessage());
      }
    }
    P2PConfig.Builder config = P2PConfig.builder();
    String discovery = args.string("discovery", "on");
    if (!discovery.equals("on") && !discovery.equals("off")) {
      throw new UsageException("--discovery must be on or off, got \"" + discovery + "\"");
    }
    if (discovery.equals("on")) {
      config.discovery(DiscoveryOptions.DEFAULT);
    }
    try {
      config.seeds(args.string("peers", ""));
      config.listen(Multiaddr.parse(args.string("listen", P2PConfig.DEFAULT_LISTEN.toString())));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new HeaderSyncException("cannot create " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    PrivateKey key = NodeKeyFile.loadOrCreate(dir.resolve("node_key"), new SecureRandom());
    config.identity(key);

    EvNodeSync.Builder builder = EvNodeSync.builder(chainId)
        .role(role.equals("light") ? EvNodeSync.Role.LIGHT : EvNodeSync.Role.FULL)
        .profile(profile)
        .p2p(config.build())
        .dataDir(dir)
        .blockTime(blockTime)
        .clock(clock);
    if (trusted != null) {
      builder.trustedHash(trusted);
    }
    if (proposer != null) {
      builder.proposer(proposer);
    }
    EvNodeSync node = builder.build();
    HeaderSyncService<P2PSignedHeader> headers = node.headers();
    CountDownLatch stop = new CountDownLatch(1);
    // Ctrl-C: the loop ends and the hook waits for the graceful stop (the JVM exits when hooks end).
    Thread hook = new Thread(() -> {
      stop.countDown();
      node.close();
    }, "headersync-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      out.printf("%s node %s, syncing %s%n", role, node.p2p().host().peerId(), headers.topic());
      Await.await(node.start(), "node start", Duration.ofSeconds(120));
      out.printf("listening on %s%n", node.p2p().addresses());
      long t0 = System.nanoTime();
      long start = headers.store().height();
      long deadline = seconds == 0 ? Long.MAX_VALUE : t0 + TimeUnit.SECONDS.toNanos(seconds);
      while (!stop.await(Math.min(5_000_000_000L, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)
          && System.nanoTime() < deadline) {
        long h = headers.store().height();
        java.util.Set<io.headersync.libp2p.PeerId> connected = node.p2p().host().connectedPeers();
        long seeds = node.p2p().seedPeers().stream().filter(connected::contains).count();
        long found = node.p2p().discovery().map(d -> d.discoveredPeers().stream().filter(connected::contains).count())
            .orElse(0L);
        out.printf("height %,d  data %s  peers %d (seeds %d, discovered %d)  %,.0f headers/s  %s%n", h,
            node.data().map(d -> String.format("%,d", d.store().height())).orElse("-"),
            connected.size(), seeds, found, (h - start) / ((System.nanoTime() - t0) / 1e9),
            headers.syncState());
      }
      out.printf("stopping at height %,d%n", headers.store().height());
      return 0;
    } finally {
      node.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  static NetworkProfile parseProfile(String name) {
    try {
      return NetworkProfile.parse(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
