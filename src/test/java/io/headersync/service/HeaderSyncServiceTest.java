package io.headersync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.HeaderSyncException;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.sync.SyncListener;
import io.headersync.testkit.TestNetwork;
import io.headersync.testkit.TestNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeaderSyncServiceTest {
  static final Duration T = Duration.ofSeconds(30);

  static PrivateKey key(long seed) {
    byte[] s = new byte[32];
    new Random(seed).nextBytes(s);
    return PrivateKey.ed25519FromSeed(s);
  }

  static void assertSameChain(TestNode a, TestNode b, long height) {
    for (long h = 1; h <= height; h++) {
      assertEquals(
          a.headers().store().getByHeight(h).orElseThrow().hash(),
          b.headers().store().getByHeight(h).orElseThrow().hash(),
          "header " + h + " of " + b.name());
      if (a.data().isPresent() && b.data().isPresent()) {
        assertEquals(
            a.data().get().store().getByHeight(h).orElseThrow().hash(),
            b.data().get().store().getByHeight(h).orElseThrow().hash(),
            "data " + h + " of " + b.name());
      }
    }
  }

  private static void await(java.util.concurrent.CompletableFuture<Void> f) {
    try {
      f.get(T.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void fullAndLightNodesCatchUpAndFollowTheSequencer() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(300);
      TestNode full = net.fullNode();
      TestNode light = net.lightNode();
      full.awaitHeight(300, T);
      light.awaitHeight(300, T);
      assertTrue(light.data().isEmpty(), "a light node syncs headers only");

      // Gossip reaches a node once it is in the sequencer's gossipsub mesh (formed at a heartbeat,
      // which on a loaded machine may come after the node caught up by the exchange).
      String topic = sequencer.headers().topic();
      await(sequencer.p2p().pubSub().awaitMeshPeer(topic, full.p2p().host().peerId()));
      await(sequencer.p2p().pubSub().awaitMeshPeer(topic, light.p2p().host().peerId()));
      var gossip = full.headers().subscribe();
      sequencer.produce(20); // now by gossip
      full.awaitHeight(320, T);
      light.awaitHeight(320, T);
      assertSameChain(sequencer, full, 320);
      assertSameChain(sequencer, light, 320);
      assertEquals(
          1, full.headers().store().tail().orElseThrow().height(), "initialised from genesis");
      // The range sync may win the race to 320; the gossip still arrives and is accepted.
      try {
        assertTrue(gossip.next().get(T.toSeconds(), TimeUnit.SECONDS).height() > 300);
      } catch (Exception e) {
        throw new AssertionError(
            "no gossip reached the full node: "
                + full.headers().gossipMetrics()
                + " sequencer "
                + sequencer.headers().gossipMetrics()
                + " "
                + sequencer.p2p().pubSub().stats(),
            e);
      }
      assertTrue(
          full.headers().gossipMetrics().accepted() > 0,
          "followed gossip: " + full.headers().gossipMetrics());
      assertEquals(HeaderSyncService.State.RUNNING, full.headers().state());
    }
  }

  @Test
  void namesFollowTheProfile() {
    try (TestNetwork net =
        TestNetwork.create(
            "gm", NetworkProfile.EVNODE, Duration.ofMillis(100), Clock.systemUTC(), 3)) {
      TestNode sequencer = net.sequencer();
      assertEquals("/gm-headerSync/header-sub/v0.0.1", sequencer.headers().topic());
      assertEquals("/gm-headerSync/header-ex/v0.0.3", sequencer.headers().protocolId());
      assertEquals("/gm-dataSync/header-sub/v0.0.1", sequencer.data().orElseThrow().topic());
      sequencer.produce(5);
      TestNode full = net.fullNode();
      full.awaitHeight(5, T);
    }
    assertEquals(
        "/gm/header-ex/v0.0.3",
        NetworkProfile.SEED.protocolId("gm", NetworkProfile.SyncKind.HEADERS));
    assertEquals(
        "/gm-block/header-sub/v0.0.1",
        NetworkProfile.SEED.topic("gm", NetworkProfile.SyncKind.DATA));
    assertEquals("blockEx", NetworkProfile.SEED.storePrefix(NetworkProfile.SyncKind.DATA));
  }

  @Test
  void trustedHashInitialisesTheStoreAtThatHeader() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      List<Block> blocks = sequencer.produce(120);
      HeaderSyncService<P2PSignedHeader> follower =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
              .p2p(
                  P2PConfig.builder()
                      .identity(key(77))
                      .inMemory(inMemoryOf(net))
                      .seed(sequencer.p2p().addresses().get(0))
                      .build())
              .blockTime(Duration.ofMillis(100))
              .trustedHash(blocks.get(99).p2pHeader().hash())
              .build();
      try {
        follower.start().get(30, TimeUnit.SECONDS);
        assertEquals(100, follower.store().tail().orElseThrow().height());
        follower.store().awaitHeight(120).get(30, TimeUnit.SECONDS);
      } finally {
        follower.close();
      }
    }
  }

  /**
   * Issue 16's reproduced leak: the P2P host fails to build after the service opened its RocksDB.
   * The build must release the store (and its executors): opening the same path again works, and
   * the error says what was wrong.
   */
  @Test
  void aBuildThatFailsAfterOpeningTheStoreReleasesIt(@TempDir Path dir) {
    Path path = dir.resolve("headers");
    for (int attempt = 0; attempt < 2; attempt++) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
                      .blockTime(Duration.ofSeconds(1))
                      .storePath(path)
                      .p2p(
                          P2PConfig.builder()
                              .listen(Multiaddr.parse("/ip4/127.0.0.1/udp/7676"))
                              .build())
                      .build());
      assertTrue(e.getMessage().contains("/udp/7676"), e.getMessage());
    }
    try (io.headersync.store.RocksDbStore<P2PSignedHeader> reopened =
        io.headersync.store.RocksDbStore.builder(EvNodeTypes.P2P_SIGNED_HEADER)
            .path(path)
            .prefix(NetworkProfile.SEED.storePrefix(NetworkProfile.SyncKind.HEADERS))
            .build()) {
      assertEquals(0, reopened.height());
    }
  }

  @Test
  void restartOnTheSameRocksDbResumesWithoutDownloadingAgain(@TempDir Path dir) throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      sequencer.produce(200);
      HeaderSyncService<P2PSignedHeader> first = follower(net, sequencer, dir, new AtomicLong());
      first.start().get(30, TimeUnit.SECONDS);
      first.store().awaitHeight(200).get(30, TimeUnit.SECONDS);
      first.close();
      assertEquals(HeaderSyncService.State.STOPPED, first.state());
      first.close(); // idempotent

      sequencer.produce(10);
      AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
      HeaderSyncService<P2PSignedHeader> second = follower(net, sequencer, dir, lowest);
      try {
        second.start().get(30, TimeUnit.SECONDS);
        second.store().awaitHeight(210).get(30, TimeUnit.SECONDS);
        assertEquals(1, second.store().tail().orElseThrow().height());
        // Listener calls may trail the store, so check where fetching started, not how much so far.
        assertTrue(
            lowest.get() > 200, "resumed above the stored head 200: first batch from " + lowest);
      } finally {
        second.close();
      }
    }
  }

  private static InMemoryNetwork inMemoryOf(TestNetwork net) {
    return net.inMemoryNetwork();
  }

  /** A follower on {@code dir}; {@code lowest} records the lowest height of an appended batch. */
  private static HeaderSyncService<P2PSignedHeader> follower(
      TestNetwork net, TestNode seed, Path dir, AtomicLong lowest) {
    lowest.set(Long.MAX_VALUE);
    return HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
        .p2p(
            P2PConfig.builder()
                .identity(key(78))
                .inMemory(net.inMemoryNetwork())
                .seed(seed.p2p().addresses().get(0))
                .build())
        .storePath(dir)
        .blockTime(Duration.ofMillis(100))
        .listener(
            new SyncListener<>() {
              @Override
              public void batchAppended(long fromHeight, int count, Duration elapsed) {
                lowest.accumulateAndGet(fromHeight, Math::min);
              }
            })
        .build();
  }

  @Test
  void initialisationFromPeersFailsClearlyWhenNobodyHasTheGenesis() {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer(); // produced nothing
      HeaderSyncService<P2PSignedHeader> follower =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
              .p2p(
                  P2PConfig.builder()
                      .identity(key(79))
                      .inMemory(net.inMemoryNetwork())
                      .seed(sequencer.p2p().addresses().get(0))
                      .build())
              .blockTime(Duration.ofMillis(100))
              .initTimeout(Duration.ofSeconds(2))
              .build();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> follower.start().get(30, TimeUnit.SECONDS));
      HeaderSyncException cause = assertInstanceOf(HeaderSyncException.class, e.getCause());
      assertTrue(
          cause.getMessage().contains("initial height 1") && cause.getMessage().contains("PT2S"),
          cause.getMessage());
      assertEquals(HeaderSyncService.State.FAILED, follower.state());
      assertEquals(cause, follower.failure().orElseThrow());
      follower.close(); // a failed service stays failed
      assertEquals(HeaderSyncService.State.FAILED, follower.state());
    }
  }

  @Test
  void sequencerRefusesAHeaderThatDoesNotExtendItsHead() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      List<Block> blocks = sequencer.produce(3);
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  sequencer
                      .headers()
                      .writeToStoreAndBroadcast(blocks.get(1).p2pHeader())
                      .get(10, TimeUnit.SECONDS));
      assertFalse(e.getCause().getMessage().isEmpty());
      assertEquals(3, sequencer.height(), "the store is untouched");
    }
  }

  @Test
  void builderChecksItsArguments() {
    HeaderSyncService.Builder<P2PSignedHeader> b =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm");
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> b.blockTime(Duration.ZERO));
    assertTrue(zero.getMessage().contains("blockTime must be positive"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.blockTime(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.initialHeight(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, ""));
    NullPointerException noBlockTime =
        assertThrows(
            NullPointerException.class,
            () ->
                HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
                    .p2p(
                        P2PConfig.builder()
                            .inMemory(new InMemoryNetwork())
                            .listen(Multiaddr.parse("/memory/0"))
                            .build())
                    .build());
    assertTrue(
        noBlockTime.getMessage().contains("blockTime is required"), noBlockTime.getMessage());
  }

  @Test
  void writesBeforeStartFail() throws Exception {
    try (InMemoryNetwork network = new InMemoryNetwork()) {
      HeaderSyncService<P2PSignedHeader> s =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
              .p2p(P2PConfig.builder().identity(key(80)).inMemory(network).build())
              .blockTime(Duration.ofSeconds(1))
              .build();
      assertEquals(HeaderSyncService.State.NEW, s.state());
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  s.writeToStoreAndBroadcast(
                          HeaderSigner.builder()
                              .key(SignerKey.generate(new Random(1)))
                              .chainId("gm")
                              .clock(Clock.systemUTC())
                              .build()
                              .genesis(List.of())
                              .p2pHeader())
                      .get());
      assertTrue(e.getCause().getMessage().contains("NEW"), e.getCause().getMessage());
      s.start().get(10, TimeUnit.SECONDS);
      assertEquals(
          HeaderSyncService.State.RUNNING,
          s.state(),
          "no peers, empty store: waits for the first header");
      s.close();
    }
  }

  @Test
  void proposerCheckPinsTheSequencersKey() throws Exception {
    try (TestNetwork net = TestNetwork.create("gm")) {
      TestNode sequencer = net.sequencer();
      List<Block> blocks = sequencer.produce(50);
      io.headersync.evnode.Signer proposer = blocks.get(0).header().signer();

      HeaderSyncService<P2PSignedHeader> pinned =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
              .p2p(
                  P2PConfig.builder()
                      .identity(key(81))
                      .inMemory(net.inMemoryNetwork())
                      .seed(sequencer.p2p().addresses().get(0))
                      .build())
              .blockTime(Duration.ofMillis(100))
              .extraCheck(io.headersync.evnode.ProposerCheck.of(proposer))
              .build();
      try {
        pinned.start().get(30, TimeUnit.SECONDS);
        pinned.store().awaitHeight(50).get(30, TimeUnit.SECONDS);
      } finally {
        pinned.close();
      }

      SignerKey other = SignerKey.generate(new Random(99));
      HeaderSyncService<P2PSignedHeader> wrong =
          HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, "gm")
              .p2p(
                  P2PConfig.builder()
                      .identity(key(82))
                      .inMemory(net.inMemoryNetwork())
                      .seed(sequencer.p2p().addresses().get(0))
                      .build())
              .blockTime(Duration.ofMillis(100))
              .extraCheck(io.headersync.evnode.ProposerCheck.of(other.signer()))
              .build();
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> wrong.start().get(30, TimeUnit.SECONDS));
      assertTrue(
          e.getCause().getMessage().contains("was blocked for an invalid answer")
              && e.getCause().getMessage().contains("not by the expected proposer"),
          e.getCause().getMessage());
      assertEquals(HeaderSyncService.State.FAILED, wrong.state());
    }
  }
}
