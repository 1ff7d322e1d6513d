package io.headersync.cli;

import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.BlockBuilder;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.internal.Await;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code headersync devnet}: a sequencer, full nodes and a light node in one process on loopback
 * TCP with the real stack (libp2p, pubsub, exchange, syncer, RocksDB stores). The light node joins
 * when half the blocks are out, so it catches up through the exchange before it follows gossip.
 */
final class Devnet {
  /** The devnet's genesis.json, at the top of its data directory. */
  static final String GENESIS = "genesis.json";

  private final PrintStream out;
  private final Clock clock;
  private final String chainId;
  private final NetworkProfile profile;
  private final Duration blockTime;
  private final long blocks;
  private final @Nullable Duration runFor;
  private final int fullNodes;
  private final int lightNodes;
  private final Path dir;
  private final Genesis genesis;
  private final SignerKey key;
  private final CountDownLatch stop;
  private final List<Node> nodes = new ArrayList<>();

  Devnet(
      PrintStream out,
      Clock clock,
      Genesis genesis,
      SignerKey key,
      NetworkProfile profile,
      Duration blockTime,
      long blocks,
      @Nullable Duration runFor,
      int fullNodes,
      int lightNodes,
      Path dir,
      CountDownLatch stop) {
    this.out = out;
    this.clock = clock;
    this.genesis = genesis;
    this.key = key;
    this.stop = stop;
    this.chainId = genesis.chainId();
    this.profile = profile;
    this.blockTime = blockTime;
    this.blocks = blocks;
    this.runFor = runFor;
    this.fullNodes = fullNodes;
    this.lightNodes = lightNodes;
    this.dir = dir;
  }

  /** One node: its {@link EvNodeSync}, and counters for the progress lines. */
  private final class Node {
    final String name;
    final EvNodeSync sync;
    long startedNanos = System.nanoTime();
    long firstHeight = -1;
    long lastHeight = -1;
    long lastNanos = System.nanoTime();

    Node(String name, EvNodeSync.Role role) {
      this.name = name;
      P2PConfig.Builder config =
          P2PConfig.builder()
              .identity(io.headersync.libp2p.PrivateKey.generateEd25519(new SecureRandom()))
              .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
              // Every node runs ev-node's DHT discovery, so a node started later with
              // `headersync node --peers <sequencer>` finds the full nodes too, not only its seed.
              .discovery(DiscoveryOptions.defaults());
      if (role != EvNodeSync.Role.SEQUENCER) {
        // Seeded with the sequencer and the full nodes already running (not light nodes: they serve
        // no data): a mesh from the first second rather than a star, so gossip is relayed and
        // catch-up fetches from several peers at once before discovery has run.
        for (Node n : nodes) {
          if (n.sync.role() != EvNodeSync.Role.LIGHT) {
            n.sync.p2p().addresses().forEach(config::seed);
          }
        }
      }
      this.sync =
          EvNodeSync.builder(chainId)
              .role(role)
              .profile(profile)
              .p2p(config.build())
              .dataDir(dir.resolve(name))
              .blockTime(blockTime)
              .genesis(genesis)
              .clock(clock)
              .build();
    }

    void start() {
      Await.await(sync.start(), name + " start", Duration.ofSeconds(60));
      startedNanos = System.nanoTime();
      firstHeight = sync.headers().store().height();
    }

    long height() {
      long h = sync.headers().store().height();
      return sync.data().map(d -> Math.min(h, d.store().height())).orElse(h);
    }

    /** Headers per second since the last call (the progress line's rate). */
    double recentRate() {
      long now = System.nanoTime();
      long h = sync.headers().store().height();
      double r =
          lastHeight < 0 || now == lastNanos
              ? rate()
              : (h - lastHeight) / ((now - lastNanos) / 1e9);
      lastHeight = h;
      lastNanos = now;
      return r;
    }

    /** Headers per second over the whole run (the summary's rate). */
    double rate() {
      double s = (System.nanoTime() - startedNanos) / 1e9;
      return s <= 0 ? 0 : (sync.headers().store().height() - Math.max(0, firstHeight)) / s;
    }
  }

  int run() throws InterruptedException {
    out.printf(
        "devnet %s (%s profile): 1 sequencer, %d full, %d light node(s) on loopback TCP; a block every %s; "
            + "stores under %s%n",
        chainId,
        profile.name().toLowerCase(Locale.ROOT),
        fullNodes,
        lightNodes,
        Await.human(blockTime),
        dir.toAbsolutePath());
    out.printf(
        "sequencer key %s, address %s (genesis %s)%n",
        HexFormat.of().formatHex(key.publicKey()),
        HexFormat.of().formatHex(key.address()),
        dir.resolve(GENESIS).toAbsolutePath());
    try {
      Node sequencer = new Node("sequencer", EvNodeSync.Role.SEQUENCER);
      nodes.add(sequencer);
      sequencer.start();
      out.printf("sequencer listening on %s%n", sequencer.sync.p2p().addresses().get(0));
      BlockBuilder builder = sequencer.sync.blockBuilder(genesis, key).build();
      SequencerLoop loop = new SequencerLoop(sequencer.sync, builder, clock, null, new Random());
      long resumed = builder.last().map(Block::height).orElse(0L);
      long produced = 0;
      if (resumed > 0) {
        out.printf("resuming after height %,d%n", resumed);
      } else {
        loop.produce(); // the first block initialises the sequencer's stores
        produced++;
      }
      for (int i = 0; i < fullNodes; i++) {
        Node n = new Node("full-" + (i + 1), EvNodeSync.Role.FULL);
        nodes.add(n);
        n.start();
      }
      long lateJoinAt = Math.max(2, blocks / 2);
      long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
      long nextProgress = System.nanoTime() + 1_000_000_000L;
      long nextBlock = System.nanoTime() + blockTime.toNanos();
      int lightStarted = 0;
      while ((runFor == null ? produced < blocks : System.nanoTime() < deadline)) {
        long wait = nextBlock - System.nanoTime();
        // the block timer of the sequencer (not a test wait); Ctrl-C ends the run early
        if (wait > 0 && stop.await(wait, TimeUnit.NANOSECONDS)) {
          out.println("stopping early");
          break;
        }
        nextBlock += blockTime.toNanos();
        loop.produce();
        produced++;
        if (lightStarted < lightNodes && produced >= lateJoinAt) {
          Node n = new Node("light-" + (++lightStarted), EvNodeSync.Role.LIGHT);
          nodes.add(n);
          n.start();
          out.printf("%s joins at height %,d and catches up%n", n.name, sequencer.height());
        }
        if (System.nanoTime() >= nextProgress) {
          nextProgress += 1_000_000_000L;
          progress(sequencer.height());
        }
      }
      long head = sequencer.height();
      Duration grace =
          blockTime.multipliedBy(50).compareTo(Duration.ofSeconds(10)) > 0
              ? blockTime.multipliedBy(50)
              : Duration.ofSeconds(10);
      out.printf(
          "sequencer stopped at height %,d; waiting up to %s for every node to reach it%n",
          head, Await.human(grace));
      boolean all = true;
      for (Node n : nodes) {
        CompletableFuture<Void> f = n.sync.awaitHeight(head);
        try {
          f.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          all = false;
        } finally {
          f.cancel(false);
        }
      }
      summary(head);
      out.println(
          all ? "every node reached the head " + head : "NOT every node reached the head " + head);
      out.printf(
          "inspect a node's stores: ./headersync inspect --data-dir %s%n",
          dir.resolve(nodes.size() > 1 ? nodes.get(1).name : "sequencer").toAbsolutePath());
      return all ? 0 : 1;
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).sync.close();
      }
    }
  }

  private void progress(long head) {
    StringBuilder line = new StringBuilder();
    for (Node n : nodes) {
      long h = n.height();
      line.append(
          String.format(
              "%s h=%,d lag=%d peers=%d %,.0f/s   ",
              n.name, h, head - h, n.sync.p2p().host().connectedPeers().size(), n.recentRate()));
    }
    out.println(line.toString().stripTrailing());
  }

  private void summary(long head) {
    out.println();
    out.printf(
        "%-10s %-9s %10s %10s %5s %6s %10s %24s %9s%n",
        "node",
        "role",
        "headers",
        "data",
        "lag",
        "peers",
        "avg hdr/s",
        "gossip acc/ign/rej",
        "served");
    for (Node n : nodes) {
      HeaderSyncService<P2PSignedHeader> headers = n.sync.headers();
      String dd = n.sync.data().map(d -> String.format("%,d", d.store().height())).orElse("-");
      var g = headers.gossipMetrics();
      out.printf(
          "%-10s %-9s %,10d %10s %5d %6d %,10.0f %24s %,9d%n",
          n.name,
          n.sync.role().name().toLowerCase(Locale.ROOT),
          headers.store().height(),
          dd,
          head - n.height(),
          n.sync.p2p().host().connectedPeers().size(),
          n.rate(),
          g.accepted() + "/" + g.ignored() + "/" + g.rejected(),
          headers.serverStats().headersServed());
    }
    out.println();
  }
}
