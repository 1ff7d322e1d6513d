package io.headersync.cli;

import io.headersync.Hash;
import io.headersync.HeaderSyncException;
import io.headersync.HeaderSyncService;
import io.headersync.NetworkProfile;
import io.headersync.NetworkProfile.SyncKind;
import io.headersync.P2PClient;
import io.headersync.P2PConfig;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.NodeKeyFile;
import io.headersync.libp2p.PrivateKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
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
    P2PConfig.Builder config = P2PConfig.builder();
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

    P2PClient p2p = P2PClient.create(config.build(), profile);
    HeaderSyncService<P2PSignedHeader> headers = service(EvNodeTypes.P2P_SIGNED_HEADER, SyncKind.HEADERS, chainId,
        profile, p2p, dir.resolve("headers"), blockTime, trusted);
    HeaderSyncService<P2PData> data = role.equals("light") ? null
        : service(EvNodeTypes.P2P_DATA, SyncKind.DATA, chainId, profile, p2p, dir.resolve("data"), blockTime, null);
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "headersync-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Await.await(p2p.start(), "P2P start", Duration.ofSeconds(120));
      out.printf("%s node %s on %s, syncing %s%n", role, p2p.host().peerId(), p2p.addresses(), headers.topic());
      Await.await(headers.start(), "header service start", Duration.ofSeconds(120));
      if (data != null) {
        Await.await(data.start(), "data service start", Duration.ofSeconds(120));
      }
      long t0 = System.nanoTime();
      long start = headers.store().height();
      long deadline = seconds == 0 ? Long.MAX_VALUE : t0 + TimeUnit.SECONDS.toNanos(seconds);
      while (!stop.await(Math.min(5_000_000_000L, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS)
          && System.nanoTime() < deadline) {
        long h = headers.store().height();
        out.printf("height %,d  data %s  peers %d  %,.0f headers/s  %s%n", h,
            data == null ? "-" : String.format("%,d", data.store().height()),
            p2p.host().connectedPeers().size(), (h - start) / ((System.nanoTime() - t0) / 1e9),
            headers.syncState());
      }
      out.printf("stopping at height %,d%n", headers.store().height());
      return 0;
    } finally {
      headers.stop();
      if (data != null) {
        data.stop();
      }
      p2p.close();
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

  private <H extends io.headersync.Header> HeaderSyncService<H> service(io.headersync.HeaderType<H> type,
      SyncKind kind, String chainId, NetworkProfile profile, P2PClient p2p, Path path, Duration blockTime,
      @Nullable Hash trusted) {
    HeaderSyncService.Builder<H> b = HeaderSyncService.builder(type, chainId).profile(profile).kind(kind).p2p(p2p)
        .storePath(path).blockTime(blockTime).clock(clock);
    if (trusted != null) {
      b.trustedHash(trusted);
    }
    return b.build();
  }


}
