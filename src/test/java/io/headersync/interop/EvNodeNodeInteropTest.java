package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.evnode.Block;
import io.headersync.evnode.BlockBuilder;
import io.headersync.evnode.EvNodeSync;
import io.headersync.evnode.Genesis;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.evnode.SignerKeyFile;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.NodeKeyFile;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.dht.Dht;
import io.headersync.libp2p.dht.DiscoveryOptions;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PConfig;
import io.headersync.testkit.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our nodes with real ev-node v1.2.2 nodes ({@code interop/evnode}: ev-node's own {@code node}
 * package, a KV executor, the module's in-process DA), on loopback:
 *
 * <ol>
 *   <li>our full node (RocksDB) and light node sync from a real aggregator, every header and data
 *       hash equal to what the aggregator's RPC names; the aggregator's genesis.json and
 *       signer.json are read by our {@link Genesis} and {@link SignerKeyFile};
 *   <li>a relay: a real full node seeded only with our full node syncs and executes the chain;
 *   <li>our full node restarts on its RocksDB stores in the middle and catches up; the real full
 *       node behind it reconnects and goes on;
 *   <li>a real full node executes blocks with transactions that our sequencer built through the
 *       public API ({@link EvNodeSync#blockBuilder}), from a genesis.json we wrote: ev-node's
 *       ValidateBasic, AssertValidSequence, data commitment and app hash checks all pass, and its
 *       state root equals ours.
 * </ol>
 *
 * Neither ev-node node logs an error caused by us.
 */
@Tag("interop")
class EvNodeNodeInteropTest {
  static final Duration BLOCK_TIME = Duration.ofMillis(100);

  /**
   * The aggregator's one expected error pair: its own first broadcast fails its own validator
   * (ev-node's sync_service).
   */
  static final Pattern AGGREGATOR_FIRST_BROADCAST =
      Pattern.compile("\"error\":\"validation failed\".*\"message\":\"failed to broadcast\"");

  static final Pattern NOTHING = Pattern.compile("(?!)");

  private final List<AutoCloseable> open = new ArrayList<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    poller.shutdownNow();
  }

  private <T extends AutoCloseable> T open(T c) {
    open.add(c);
    return c;
  }

  /** Polls an ev-node node's RPC (it has no push API) until {@code condition} holds. */
  private void await(String what, Duration timeout, BooleanSupplier condition) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    var task =
        poller.scheduleWithFixedDelay(
            () -> {
              if (condition.getAsBoolean()) {
                done.complete(null);
              }
            },
            0,
            100,
            TimeUnit.MILLISECONDS);
    try {
      done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    } finally {
      task.cancel(false);
    }
  }

  private EvNodeSync node(
      EvNodeSync.Role role,
      Genesis genesis,
      PrivateKey identity,
      int port,
      String seeds,
      Path dataDir) {
    return node(role, genesis.chainId(), genesis, identity, port, seeds, dataDir, false);
  }

  private EvNodeSync node(
      EvNodeSync.Role role,
      String chainId,
      Genesis genesis,
      PrivateKey identity,
      int port,
      String seeds,
      Path dataDir,
      boolean discovery) {
    P2PConfig.Builder p2p =
        P2PConfig.builder()
            .identity(identity)
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port));
    if (discovery) {
      p2p.discovery(DiscoveryOptions.defaults());
    }
    if (!seeds.isEmpty()) {
      p2p.seeds(seeds);
    }
    EvNodeSync.Builder b =
        EvNodeSync.builder(chainId)
            .role(role)
            .profile(NetworkProfile.EVNODE)
            .p2p(p2p.build())
            .blockTime(BLOCK_TIME);
    if (genesis != null) {
      b.genesis(genesis);
    }
    if (dataDir != null) {
      b.dataDir(dataDir);
    }
    return b.build();
  }

  private static String address(EvNodeSync node, int port) {
    return "/ip4/127.0.0.1/tcp/" + port + "/p2p/" + node.p2p().host().peerId();
  }

  /**
   * Every header and data hash of ours up to {@code to} equals the one the ev-node node's block h+1
   * names.
   */
  private static void assertSameChain(EvNodeSync ours, EvNodeProcess theirs, long to)
      throws Exception {
    for (long h = 1; h <= to; h++) {
      Hash[] expected = theirs.hashesAt(h);
      P2PSignedHeader header = ours.headers().store().getByHeight(h).orElseThrow();
      assertEquals(expected[0], header.hash(), "header " + h);
      if (ours.data().isPresent()) {
        P2PData data = ours.data().get().store().getByHeight(h).orElseThrow();
        assertEquals(expected[1], data.hash(), "data " + h);
      }
    }
  }

  @Test
  void ourFullAndLightNodesSyncFromARealAggregatorRelayToARealFullNodeAndSurviveARestart(
      @TempDir Path dir) throws Exception {
    EvNodeProcess aggregator =
        open(EvNodeProcess.aggregator(dir.resolve("agg"), "gm", 2, BLOCK_TIME));
    String aggAddress = aggregator.address();
    // What ev-node wrote, read by our classes: the genesis, and the sequencer's public key from
    // signer.json.
    Genesis genesis = Genesis.read(dir.resolve("agg/config/genesis.json"));
    assertTrue(genesis.isProposer(SignerKeyFile.publicKey(dir.resolve("agg/config"))));

    PrivateKey fullId = PrivateKey.generateEd25519(new SecureRandom());
    int fullPort = EvNodeProcess.freePort();
    Path fullDir = dir.resolve("ours-full");
    EvNodeSync full = node(EvNodeSync.Role.FULL, genesis, fullId, fullPort, aggAddress, fullDir);
    EvNodeSync light =
        open(
            node(
                EvNodeSync.Role.LIGHT,
                genesis,
                PrivateKey.generateEd25519(new SecureRandom()),
                EvNodeProcess.freePort(),
                aggAddress,
                null));
    full.start().get(60, TimeUnit.SECONDS);
    light.start().get(60, TimeUnit.SECONDS);
    full.awaitHeight(40).get(60, TimeUnit.SECONDS);
    light.awaitHeight(40).get(60, TimeUnit.SECONDS);

    // The relay: a real full node that knows only our full node.
    EvNodeProcess relayed =
        open(
            EvNodeProcess.fullNode(
                dir.resolve("go-full"),
                dir.resolve("agg/config/genesis.json"),
                address(full, fullPort),
                BLOCK_TIME));
    relayed.address();
    await(
        "the relayed ev-node full node at height 60",
        Duration.ofSeconds(60),
        () -> relayed.height() >= 60);

    // Our full node restarts on its stores; the real full node behind it loses its only peer
    // meanwhile.
    long before = full.headers().store().height();
    full.close();
    full = open(node(EvNodeSync.Role.FULL, genesis, fullId, fullPort, aggAddress, fullDir));
    assertTrue(full.headers().store().height() >= before, "the stores survived the restart");
    full.start().get(60, TimeUnit.SECONDS);
    long target = aggregator.height() + 30;
    full.awaitHeight(target).get(60, TimeUnit.SECONDS);
    light.awaitHeight(target).get(60, TimeUnit.SECONDS);
    await(
        "the relayed ev-node full node at height " + target,
        Duration.ofSeconds(60),
        () -> relayed.height() >= target);

    assertSameChain(full, aggregator, target - 1);
    assertSameChain(light, aggregator, target - 1);
    // The relayed node executed the same chain: the same blocks, so the same state root at each
    // height.
    for (long h = 1; h < target; h += 7) {
      assertEquals(aggregator.hashesAt(h)[0], relayed.hashesAt(h)[0], "relayed header " + h);
    }
    assertEquals(
        List.of(),
        aggregator.errors(AGGREGATOR_FIRST_BROADCAST),
        "aggregator errors:\n" + aggregator.stderr());
    assertEquals(
        List.of(), relayed.errors(NOTHING), "relayed full node errors:\n" + relayed.stderr());
  }

  /**
   * Discovery as ev-node runs it (issue 14): the aggregator's DHT is seeded only with our full
   * node, so its provider record for the chain id lives with us; a real full node seeded only with
   * our node finds the aggregator through our DHT (our routing table answering its lookups, our
   * provider record answering its FindPeers) and connects to it.
   */
  @Test
  void aRealFullNodeSeededOnlyWithOursFindsTheAggregatorThroughOurDht(@TempDir Path dir)
      throws Exception {
    // The aggregator's node key, written where ev-node's LoadOrGenNodeKey finds it, so that our
    // full
    // node can be seeded with the aggregator before the aggregator runs.
    PrivateKey aggKey = PrivateKey.generateEd25519(new SecureRandom());
    java.nio.file.Files.createDirectories(dir.resolve("agg/config"));
    NodeKeyFile.saveEvNodeJson(dir.resolve("agg/config/node_key.json"), aggKey);
    String aggId = PeerId.fromPublicKey(aggKey.publicKey()).toString();
    int aggPort = EvNodeProcess.freePort();
    String aggAddress = "/ip4/127.0.0.1/tcp/" + aggPort + "/p2p/" + aggId;

    // Our full node first, with discovery on; it initialises once its seed, the aggregator, is up.
    PrivateKey fullId = PrivateKey.generateEd25519(new SecureRandom());
    int fullPort = EvNodeProcess.freePort();
    EvNodeSync full =
        open(node(EvNodeSync.Role.FULL, "gm-dht", null, fullId, fullPort, aggAddress, null, true));
    CompletableFuture<Void> started = full.start();
    // The aggregator's DHT is seeded only with us: its provider record for the chain id goes to our
    // node.
    EvNodeProcess aggregator =
        open(
            EvNodeProcess.aggregator(
                dir.resolve("agg"), "gm-dht", 1, BLOCK_TIME, aggPort, address(full, fullPort)));
    assertEquals(aggAddress, aggregator.address());
    started.get(60, TimeUnit.SECONDS);
    full.awaitHeight(20).get(60, TimeUnit.SECONDS);

    // A real full node seeded only with us: ev-node's FindPeers(chain id) asks our DHT.
    EvNodeProcess relayed =
        open(
            EvNodeProcess.fullNode(
                dir.resolve("go-full"),
                dir.resolve("agg/config/genesis.json"),
                address(full, fullPort),
                BLOCK_TIME));
    relayed.address();
    String ourId = full.p2p().host().peerId().toString();
    await(
        "the relayed ev-node full node connected to the aggregator it found through our DHT",
        Duration.ofSeconds(60),
        () -> relayed.peers().contains(aggId));
    assertTrue(relayed.peers().contains(ourId), "and to us: " + relayed.peers());
    // ev-node's Advertise reached our DHT: the aggregator is a provider of the chain id.
    List<String> providers =
        full
            .p2p()
            .dht()
            .orElseThrow()
            .findProviders(Dht.namespaceKey("gm-dht"), 20)
            .get(30, TimeUnit.SECONDS)
            .stream()
            .map(p -> p.peer().toString())
            .toList();
    assertTrue(providers.contains(aggId), "providers of gm-dht: " + providers);
    await("the relayed node syncing", Duration.ofSeconds(60), () -> relayed.height() >= 30);

    // Our second node, seeded only with the aggregator, finds the relayed Go full node through the
    // DHT (ev-node advertises on every node) and syncs from both Go nodes.
    PeerId relayedId =
        PeerId.parse(relayed.address().substring(relayed.address().lastIndexOf('/') + 1));
    EvNodeSync second =
        open(
            node(
                EvNodeSync.Role.LIGHT,
                "gm-dht",
                null,
                PrivateKey.generateEd25519(new SecureRandom()),
                EvNodeProcess.freePort(),
                aggAddress,
                null,
                true));
    second.start().get(60, TimeUnit.SECONDS);
    await(
        "our second node connected to the Go full node it discovered",
        Duration.ofSeconds(60),
        () -> second.p2p().host().connectedPeers().contains(relayedId));
    await(
        "our second node tracking both Go nodes as header-ex peers",
        Duration.ofSeconds(30),
        () ->
            second
                .headers()
                .exchange()
                .trackedPeers()
                .containsAll(List.of(PeerId.parse(aggId), relayedId)));
    long target = relayed.height();
    second.awaitHeight(target).get(60, TimeUnit.SECONDS);
    // hashesAt(h) reads block h+1 from the relayed node, which holds blocks up to target for sure
    assertSameChain(second, relayed, target - 1);
    assertEquals(
        List.of(), relayed.errors(NOTHING), "relayed full node errors:\n" + relayed.stderr());
  }

  @Test
  void aRealFullNodeExecutesBlocksWithTxsThatOurSequencerBuilt(@TempDir Path dir) throws Exception {
    SignerKey key = SignerKey.generate(new SecureRandom());
    Instant start = Instant.now();
    Genesis genesis = Genesis.builder("gm-seq").startTime(start).proposer(key).build();
    Path genesisFile = dir.resolve("config/genesis.json");
    genesis.write(genesisFile); // ev-node's genesis.LoadGenesis reads what we wrote

    int port = EvNodeProcess.freePort();
    EvNodeSync sequencer =
        open(
            node(
                EvNodeSync.Role.SEQUENCER,
                genesis,
                PrivateKey.generateEd25519(new SecureRandom()),
                port,
                "",
                null));
    sequencer.start().get(30, TimeUnit.SECONDS);
    BlockBuilder blocks = sequencer.blockBuilder(genesis, key).build();
    KvStateMachine kv = new KvStateMachine();
    Hash root = kv.initChain();
    Random random = new Random(11);

    int n = 120;
    EvNodeProcess full = null;
    Instant time = start;
    for (int i = 0; i < n; i++) {
      List<byte[]> txs = new ArrayList<>();
      for (int t = random.nextInt(4); t > 0; t--) {
        txs.add(
            ("key" + random.nextInt(20) + "=value" + i + "-" + t).getBytes(StandardCharsets.UTF_8));
      }
      if (i % 10 == 5) {
        txs.add("not a kv tx".getBytes(StandardCharsets.UTF_8));
      }
      Instant now = Instant.now();
      time = i == 0 ? start : now.isAfter(time) ? now : time;
      Block block = blocks.next(time, txs, root);
      root = kv.execute(txs);
      sequencer.publish(block).get(10, TimeUnit.SECONDS);
      if (i == 0) { // the real full node initialises from our first block within its 30 s window
        full =
            open(
                EvNodeProcess.fullNode(
                    dir.resolve("go-full"), genesisFile, address(sequencer, port), BLOCK_TIME));
        full.address();
      }
      poller
          .schedule(() -> null, BLOCK_TIME.toMillis(), TimeUnit.MILLISECONDS)
          .get(); // paces block production
    }
    EvNodeProcess go = full;
    await(
        "the ev-node full node executing block " + n,
        Duration.ofSeconds(60),
        () -> go.height() >= n);
    assertEquals(root, go.appHash(), "ev-node's state root after block " + n + " is ours");
    assertSameChain(sequencer, go, n - 1);
    assertEquals(List.of(), go.errors(NOTHING), "ev-node full node errors:\n" + go.stderr());
  }
}
