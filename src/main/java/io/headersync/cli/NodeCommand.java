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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code headersync node}: joins an existing network as a full node (headers and data) or a light
 * node (headers), with RocksDB stores and a node key under the data directory, and prints progress
 * until stopped (Ctrl-C stops it gracefully) or until {@code --seconds} pass.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = Main.Version.class,
    description = "Join an existing network and sync, until Ctrl-C (or --seconds).")
final class NodeCommand implements Callable<Integer> {
  private final Main main;

  @Option(names = "--chain-id", paramLabel = "ID", required = true, description = "chain id")
  String chainId;

  @Option(names = "--peers", paramLabel = "LIST", required = true,
      description = "comma-separated multiaddrs with /p2p/<peer id>")
  String peers;

  @Option(names = "--role", paramLabel = "R", completionCandidates = Roles.class,
      description = "full (headers and data, default) or light (headers)")
  String role = "full";

  @Option(names = "--profile", paramLabel = "P", completionCandidates = DevnetCommand.Profiles.class,
      description = "seed (default) or evnode")
  NetworkProfile profile = NetworkProfile.SEED;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "stores and node key (default: ${DEFAULT-VALUE})")
  Path dir = Path.of("headersync-data");

  @Option(names = "--listen", paramLabel = "ADDR", description = "listen multiaddr (default: /ip4/0.0.0.0/tcp/7676)")
  String listen = P2PConfig.DEFAULT_LISTEN.toString();

  @Option(names = "--block-time", paramLabel = "D", description = "the network's block time (default: 1s)")
  Duration blockTime = Duration.ofSeconds(1);

  @Option(names = "--trusted-hash", paramLabel = "HEX",
      description = "initialise an empty store from this header instead of the genesis")
  @Nullable String trustedHash;

  @Option(names = "--proposer-key", paramLabel = "HEX",
      description = "the sequencer's Ed25519 public key (as inspect prints it): every header must carry it and a "
          + "valid signature")
  @Nullable String proposerKey;

  @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds")
  @Nullable Long seconds;

  @Option(names = "--discovery", paramLabel = "on|off", completionCandidates = OnOff.class,
      description = "find the chain's peers through the Kademlia DHT, as ev-node (default: on)")
  String discovery = "on";

  NodeCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintStream out = main.out();
    Clock clock = main.clock();
    if (!role.equals("full") && !role.equals("light")) {
      throw new UsageException("--role must be full or light, got \"" + role + "\"");
    }
    if (seconds != null && seconds < 1) {
      throw new UsageException("--seconds must be positive, got " + seconds);
    }
    @Nullable Hash trusted = null;
    if (trustedHash != null) {
      try {
        trusted = Hash.parse(trustedHash);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--trusted-hash: " + e.getMessage());
      }
    }
    @Nullable Signer proposer = null;
    if (proposerKey != null) {
      try {
        proposer = Signer.ofEd25519(HexFormat.of().parseHex(proposerKey));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--proposer-key must be a 32-byte Ed25519 public key in hex: " + e.getMessage());
      }
    }
    P2PConfig.Builder config = P2PConfig.builder();
    if (!discovery.equals("on") && !discovery.equals("off")) {
      throw new UsageException("--discovery must be on or off, got \"" + discovery + "\"");
    }
    if (discovery.equals("on")) {
      config.discovery(DiscoveryOptions.DEFAULT);
    }
    try {
      config.seeds(peers);
      config.listen(Multiaddr.parse(listen));
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
    CountDownLatch stop = main.newStopSignal();
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
      long deadline = seconds == null ? Long.MAX_VALUE : t0 + TimeUnit.SECONDS.toNanos(seconds);
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

  /** Shell completion of {@code --role}. */
  static final class Roles implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("full", "light").iterator();
    }
  }

  /** Shell completion of on/off options. */
  static final class OnOff implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("on", "off").iterator();
    }
  }
}
