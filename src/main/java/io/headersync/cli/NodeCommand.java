package io.headersync.cli;

import io.headersync.Hash;
import io.headersync.HeaderSyncException;
import io.headersync.annotation.Nullable;
import io.headersync.evnode.Block;
import io.headersync.evnode.BlockBuilder;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.Signer;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.internal.Await;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.NodeKeyFile;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.metrics.NodeMetrics;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PClient;
import io.headersync.service.P2PConfig;
import io.headersync.sync.SyncState;
import io.headersync.testkit.KvStateMachine;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code headersync node}: joins an existing network as a full node (headers and data) or a light
 * node (headers), or runs its sequencer ({@code --role sequencer}: produces a block every block
 * time with an ev-node signer key, resuming after the stored head), with RocksDB stores and a node
 * key under the data directory, and prints progress until stopped (Ctrl-C stops it gracefully),
 * until {@code --seconds} pass or, for a sequencer, {@code --blocks} are produced.
 *
 * <p>Why ~630 lines: mostly picocli option declarations with their help texts and checks; running
 * the node is {@code EvNodeSync}'s.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    versionProvider = Main.Version.class,
    description = {
      "Join an existing network and sync (full or light), or produce its blocks (sequencer), until "
          + "Ctrl-C (or --seconds).",
      "A sequencer needs --signer-key and --passphrase-file, and --genesis or --chain-id (it then writes "
          + "DIR/genesis.json for its key and reuses it on restart)."
    })
final class NodeCommand implements Callable<Integer> {
  /** How long a seed has to answer a dial, and then to identify itself. */
  static final Duration SEED_CHECK_TIMEOUT = Duration.ofSeconds(10);

  private final Main main;

  @Option(
      names = "--chain-id",
      paramLabel = "ID",
      description = "chain id (required unless --genesis names it)")
  @Nullable
  String chainId;

  @Option(
      names = "--peers",
      paramLabel = "LIST",
      description =
          "comma-separated multiaddrs with /p2p/<peer id> (required for full and light nodes)")
  @Nullable
  String peers;

  @Option(
      names = "--role",
      paramLabel = "R",
      completionCandidates = Roles.class,
      description =
          "full (headers and data, default), light (headers) or sequencer (produces blocks)")
  String role = "full";

  @Option(
      names = "--profile",
      paramLabel = "P",
      completionCandidates = DevnetCommand.Profiles.class,
      description = "seed (default) or evnode")
  NetworkProfile profile = NetworkProfile.SEED;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "stores and node key (default: ${DEFAULT-VALUE})")
  Path dir = Path.of("headersync-data");

  @Option(
      names = "--listen",
      paramLabel = "ADDR",
      description = "listen multiaddr (default: /ip4/0.0.0.0/tcp/7676)")
  String listen = P2PConfig.DEFAULT_LISTEN.toString();

  @Option(
      names = "--block-time",
      paramLabel = "D",
      description = "the network's block time (default: 1s)")
  Duration blockTime = Duration.ofSeconds(1);

  @Option(
      names = "--genesis",
      paramLabel = "FILE",
      description =
          "ev-node's genesis.json: initial height and proposer (every header's signature is checked)")
  @Nullable
  Path genesisFile;

  @Option(
      names = "--trusted-hash",
      paramLabel = "HEX",
      description = "initialise an empty store from this header instead of the genesis")
  @Nullable
  String trustedHash;

  @Option(
      names = "--sync-from-height",
      paramLabel = "N",
      description =
          "light: keep headers from height N on (with --trusted-hash near the head: follow it at once and "
              + "back-fill down to N in the background)")
  long syncFromHeight;

  @Option(
      names = "--pruning-window",
      paramLabel = "D",
      description =
          "light: keep headers no older than D behind the head (e.g. 337h, 30m), pruning older ones as the "
              + "head advances (default: the profile's, 337h for seed, none for evnode); a --sync-from-height tail wins. "
              + "Refused for full nodes and sequencers: they keep every block from genesis (a full node re-executes "
              + "them and its data follows its headers)")
  @Nullable
  Duration pruningWindow;

  @Option(
      names = "--proposer-key",
      paramLabel = "HEX",
      description =
          "the sequencer's Ed25519 public key (as inspect prints it): every header must carry it and a "
              + "valid signature")
  @Nullable
  String proposerKey;

  @Option(
      names = "--signer-key",
      paramLabel = "FILE",
      description =
          "sequencer: ev-node's signer key file (signer.json) or its directory (headersync genesis "
              + "--create-key makes one)")
  @Nullable
  Path signerKey;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "sequencer: the file holding the key's passphrase")
  @Nullable
  Path passphraseFile;

  @Option(
      names = "--kv",
      description =
          "sequencer: blocks carry a few key=value txs of the KV demo executor and its "
              + "state roots (default: empty blocks)")
  boolean kv;

  @Option(
      names = "--blocks",
      paramLabel = "N",
      description = "sequencer: stop after producing N blocks")
  @Nullable
  Long blocks;

  @Option(names = "--seconds", paramLabel = "S", description = "stop after S seconds")
  @Nullable
  Long seconds;

  @Option(
      names = "--metrics",
      paramLabel = "HOST:PORT",
      description =
          "serve Prometheus metrics at http://HOST:PORT/metrics (ev-node uses 127.0.0.1:26660)")
  @Nullable
  String metrics;

  @Option(
      names = "--status-interval",
      paramLabel = "D",
      description =
          "time between status lines (default: 5s; on a terminal one line redrawn every 1s)")
  @Nullable
  Duration statusInterval;

  @Option(
      names = "--discovery",
      paramLabel = "on|off",
      completionCandidates = OnOff.class,
      description = "find the chain's peers through the Kademlia DHT, as ev-node (default: on)")
  String discovery = "on";

  NodeCommand(Main main) {
    this.main = main;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintStream out = main.out();
    Clock clock = main.clock();
    EvNodeSync.Role r =
        switch (role) {
          case "full" -> EvNodeSync.Role.FULL;
          case "light" -> EvNodeSync.Role.LIGHT;
          case "sequencer" -> EvNodeSync.Role.SEQUENCER;
          default ->
              throw new UsageException(
                  "--role must be full, light or sequencer, got \"" + role + "\"");
        };
    boolean sequencer = r == EvNodeSync.Role.SEQUENCER;
    if (!sequencer && (chainId == null && genesisFile == null)) {
      throw new UsageException("Missing required option: '--chain-id=ID' (or --genesis)");
    }
    if (!sequencer && peers == null) {
      throw new UsageException(
          "Missing required option: '--peers=LIST' (a full or light node needs peers)");
    }
    if (!sequencer) {
      for (String o :
          new String[] {
            signerKey == null ? null : "--signer-key",
            passphraseFile == null ? null : "--passphrase-file",
            kv ? "--kv" : null,
            blocks == null ? null : "--blocks"
          }) {
        if (o != null) {
          throw new UsageException(o + " is for --role sequencer only");
        }
      }
    } else {
      if (signerKey == null) {
        throw new UsageException(
            "--role sequencer needs --signer-key (headersync genesis --create-key makes one)");
      }
      if (passphraseFile == null) {
        throw new UsageException(
            "--role sequencer needs --passphrase-file to decrypt the signer key");
      }
      if (trustedHash != null) {
        throw new UsageException("--trusted-hash is for full and light nodes");
      }
    }
    if (syncFromHeight != 0 && r != EvNodeSync.Role.LIGHT) {
      throw new UsageException(
          "--sync-from-height is for --role light: a full node or sequencer keeps every block "
              + "from genesis");
    }
    if (pruningWindow != null && r != EvNodeSync.Role.LIGHT) {
      throw new UsageException(
          "--pruning-window is for --role light: a full node or sequencer keeps every block "
              + "from genesis");
    }
    if (syncFromHeight < 0) {
      throw new UsageException("--sync-from-height must be at least 1, got " + syncFromHeight);
    }
    if (seconds != null && seconds < 1) {
      throw new UsageException("--seconds must be positive, got " + seconds);
    }
    if (blocks != null && blocks < 1) {
      throw new UsageException("--blocks must be positive, got " + blocks);
    }
    @Nullable Hash trusted = null;
    if (trustedHash != null) {
      try {
        trusted = Hash.parse(trustedHash);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--trusted-hash: " + e.getMessage());
      }
    }
    @Nullable Signer proposer = proposerKey == null ? null : parseProposerKey(proposerKey);
    P2PConfig.Builder config = P2PConfig.builder();
    if (!discovery.equals("on") && !discovery.equals("off")) {
      throw new UsageException("--discovery must be on or off, got \"" + discovery + "\"");
    }
    if (discovery.equals("on")) {
      config.discovery(DiscoveryOptions.defaults());
    }
    try {
      if (peers != null) {
        config.seeds(peers);
      }
      config.listen(Multiaddr.parse(listen));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    DataDirs.prepare(dir);

    // The sequencer's key and genesis, before anything starts: a wrong passphrase or a genesis of
    // another key fails here, in one line.
    @Nullable SignerKey key = null;
    @Nullable Genesis genesis = genesisFile == null ? null : Genesis.read(genesisFile);
    if (sequencer) {
      byte[] pass = SignerKeyFile.readPassphrase(passphraseFile);
      try {
        key = SignerKeyFile.load(signerKey, pass);
      } finally {
        Arrays.fill(pass, (byte) 0);
      }
      genesis = sequencerGenesis(genesis, key, clock, out);
    }
    String chain = genesis != null ? genesis.chainId() : chainId;
    if (genesis != null && chainId != null && !chainId.equals(genesis.chainId())) {
      throw new UsageException(
          "--chain-id "
              + chainId
              + " but the genesis is of chain "
              + genesis.chainId()
              + "; drop --chain-id or use the genesis of that chain");
    }
    PrivateKey nodeKey = NodeKeyFile.loadOrCreate(dir.resolve("node_key"), new SecureRandom());
    config.identity(nodeKey);

    P2PConfig p2pConfig = config.build();
    PeerChecks.listenable(p2pConfig.listen()); // a port in use: said at once, with the address
    // The node's P2P client is ours, so that the seeds are checked before the services start.
    P2PClient client =
        P2PClient.create(p2pConfig, profile.maxPubsubMessageSize(), null, null, clock, chain);
    EvNodeSync.Builder builder =
        EvNodeSync.builder(chain)
            .role(r)
            .profile(profile)
            .p2p(client)
            .dataDir(dir)
            .blockTime(blockTime)
            .clock(clock);
    if (trusted != null) {
      builder.trustedHash(trusted);
    }
    if (syncFromHeight != 0) {
      builder.syncFromHeight(syncFromHeight);
    }
    if (pruningWindow != null) {
      builder.pruningWindow(pruningWindow);
    }
    if (proposer != null) {
      builder.proposer(proposer);
    }
    if (genesis != null) {
      builder.genesis(genesis);
    }
    EvNodeSync node;
    try {
      node = builder.build();
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    HeaderSyncService<P2PSignedHeader> headers = node.headers();
    CountDownLatch stop = main.newStopSignal();
    // Ctrl-C: the loop ends, and the hook waits while this thread stops the node and says where it
    // stopped (the JVM exits when the hooks end); if this thread is stuck, the hook stops the node.
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                if (finished.await(60, TimeUnit.SECONDS)) {
                  return;
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              node.close();
              client.close();
            },
            "headersync-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Progress progress = new Progress(out, main.interactive(), statusInterval);
    boolean ran = false;
    @Nullable MetricsServer metricsServer = null;
    try {
      out.printf(
          "%s node %s of chain %s, %s%n",
          role,
          client.host().peerId(),
          chain,
          sequencer ? "publishing on " + headers.topic() : "syncing " + headers.topic());
      // before the network: a metrics address in use is said at once
      if (metrics != null) {
        metricsServer = MetricsServer.start(metrics, NodeMetrics.of(node));
        out.printf(
            "metrics on http://%s:%d/metrics%n",
            metrics.substring(0, metrics.lastIndexOf(':')), metricsServer.port());
      }
      Await.await(client.start(), "P2P start", Duration.ofSeconds(60));
      out.printf(
          "listening on %s%n",
          client.addresses().stream().map(Object::toString).collect(Collectors.joining(" ")));
      if (!p2pConfig.seeds().isEmpty()) {
        checkSeeds(client, p2pConfig.seeds(), headers);
      }
      Await.await(node.start(), "node start", Duration.ofSeconds(120));
      long t0 = System.nanoTime();
      long deadline = seconds == null ? Long.MAX_VALUE : t0 + TimeUnit.SECONDS.toNanos(seconds);
      if (sequencer) {
        produce(node, genesis, key, stop, deadline, progress);
      } else {
        follow(node, stop, deadline, progress);
      }
      ran = true;
    } finally {
      if (metricsServer != null) {
        metricsServer.close();
      }
      node.close();
      client.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      if (!ran) {
        finished.countDown(); // failed: the error goes out through the caller
      }
    }
    try {
      progress.end();
      // What the stores hold now that every writer has stopped (a sync still running while we said
      // "stopping" would otherwise make this disagree with inspect).
      out.printf("stopped; stored heights: %s%n", DataDirs.storedHeights(dir, profile));
      return Main.OK;
    } finally {
      finished.countDown();
    }
  }

  /**
   * Says, once per seed and in one line, why a seed cannot be used. A node with an empty store
   * cannot initialise without a usable seed: it stops here rather than retry for half a minute.
   */
  private void checkSeeds(
      P2PClient client, List<Multiaddr> seeds, HeaderSyncService<P2PSignedHeader> headers)
      throws InterruptedException {
    List<String> problems =
        PeerChecks.seedProblems(client.host(), seeds, headers.protocolId(), SEED_CHECK_TIMEOUT);
    for (String p : problems) {
      main.err().println("headersync node: " + p);
    }
    if (problems.size() == seeds.size() && headers.store().height() == 0) {
      throw new HeaderSyncException(
          "no seed can be used ("
              + (seeds.size() == 1 ? "see above" : "all " + seeds.size() + " above")
              + ") and the store is empty: fix --peers (or --chain-id) and start again");
    }
  }

  /**
   * The genesis of a sequencer: the given one (it must name the key), else {@code DIR/genesis.json}
   * from an earlier run, else a new one for this key, written there.
   */
  private Genesis sequencerGenesis(
      @Nullable Genesis given, SignerKey key, Clock clock, PrintStream out) {
    Path stored = dir.resolve("genesis.json");
    Genesis g = given;
    String from = genesisFile == null ? "" : genesisFile.toString();
    if (g == null && Files.exists(stored)) {
      g = Genesis.read(stored);
      from = stored.toString();
    }
    if (g == null) {
      if (chainId == null) {
        throw new UsageException(
            "--role sequencer needs --genesis FILE or --chain-id (to write DIR/genesis.json)");
      }
      g = Genesis.builder(chainId).startTime(clock.instant()).proposer(key).build();
      g.write(stored);
      out.printf(
          "wrote %s for proposer %s%n", stored.toAbsolutePath(), GenesisCommand.hex(key.address()));
      return g;
    }
    if (!g.isProposer(key)) {
      throw new HeaderSyncException(
          from
              + ": proposer_address "
              + GenesisCommand.hex(g.proposerAddress())
              + " is not the address of the signer key "
              + SignerKeyFile.resolve(signerKey)
              + " ("
              + GenesisCommand.hex(key.address())
              + ")");
    }
    return g;
  }

  private void produce(
      EvNodeSync node,
      Genesis genesis,
      SignerKey key,
      CountDownLatch stop,
      long deadline,
      Progress progress)
      throws InterruptedException {
    BlockBuilder builder = node.blockBuilder(genesis, key).build();
    SequencerLoop loop =
        new SequencerLoop(
            node, builder, main.clock(), kv ? new KvStateMachine() : null, new SecureRandom());
    long resumed = builder.last().map(Block::height).orElse(0L);
    main.out()
        .printf(
            "sequencer %s: %s, a block every %s%s%n",
            GenesisCommand.hex(key.publicKey()),
            resumed == 0
                ? "first block at height " + genesis.initialHeight()
                : "resuming after height " + resumed,
            Await.human(blockTime),
            kv ? ", KV demo transactions" : "");
    long produced = 0;
    long txs = 0;
    long nextBlock = System.nanoTime();
    long nextReport = System.nanoTime() + progress.interval();
    long lastReportHeight = resumed;
    long lastReportNanos = System.nanoTime();
    while (blocks == null || produced < blocks) {
      long wait = Math.max(0, nextBlock - System.nanoTime());
      if (stop.await(wait, TimeUnit.NANOSECONDS) || System.nanoTime() >= deadline) {
        break;
      }
      nextBlock += blockTime.toNanos();
      Block b = loop.produce();
      produced++;
      txs += b.data().txCount();
      long now = System.nanoTime();
      if (now >= nextReport) {
        nextReport = now + progress.interval();
        progress.line(
            String.format(
                "height %,d  produced %,d (%,d txs)  %.1f blocks/s  peers %d",
                b.height(),
                produced,
                txs,
                (b.height() - lastReportHeight) / ((now - lastReportNanos) / 1e9),
                node.p2p().host().connectedPeers().size()));
        lastReportHeight = b.height();
        lastReportNanos = now;
      }
    }
  }

  private void follow(EvNodeSync node, CountDownLatch stop, long deadline, Progress progress)
      throws InterruptedException {
    HeaderSyncService<P2PSignedHeader> headers = node.headers();
    long lastHeight = headers.store().height();
    long lastNanos = System.nanoTime();
    while (!stop.await(
            Math.min(progress.interval(), Math.max(0, deadline - System.nanoTime())),
            TimeUnit.NANOSECONDS)
        && System.nanoTime() < deadline) {
      long now = System.nanoTime();
      long h = headers.store().height();
      Set<PeerId> connected = node.p2p().host().connectedPeers();
      Set<PeerId> seedPeers = Set.copyOf(node.p2p().seedPeers());
      long seeds = seedPeers.stream().filter(connected::contains).count();
      // Connected peers the DHT named that are not seeds, so seeds + discovered <= peers.
      long found =
          node.p2p()
              .discovery()
              .map(
                  d ->
                      d.discoveredPeers().stream()
                          .filter(p -> connected.contains(p) && !seedPeers.contains(p))
                          .count())
              .orElse(0L);
      double rate = (h - lastHeight) / ((now - lastNanos) / 1e9);
      SyncState s = headers.syncState();
      String sync;
      if (!s.finished() && s.toHeight() > h) {
        long left = s.toHeight() - h;
        sync =
            String.format(
                "catching up to %,d%s",
                s.toHeight(),
                rate > 0
                    ? ", ETA "
                        + Progress.duration(Duration.ofSeconds((long) Math.ceil(left / rate)))
                    : "");
      } else {
        sync = h == 0 ? "waiting for the network head" : "following gossip";
      }
      progress.line(
          String.format(
              "height %,d  data %s  peers %d (seeds %d, discovered %d)  %,.1f headers/s  %s",
              h,
              node.data().map(d -> String.format("%,d", d.store().height())).orElse("-"),
              connected.size(),
              seeds,
              found,
              rate,
              sync));
      lastHeight = h;
      lastNanos = now;
    }
  }

  /** {@code --proposer-key}: a raw Ed25519 public key in hex. */
  static Signer parseProposerKey(String hex) {
    try {
      return Signer.ofEd25519(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--proposer-key must be a 32-byte Ed25519 public key in hex: " + e.getMessage());
    }
  }

  /** Shell completion of {@code --role}. */
  static final class Roles implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("full", "light", "sequencer").iterator();
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
