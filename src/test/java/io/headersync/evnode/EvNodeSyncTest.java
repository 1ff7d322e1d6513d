package io.headersync.evnode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.HeaderSyncException;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PrivateKey;
import io.headersync.lifecycle.Service;
import io.headersync.lifecycle.ServiceStoppedException;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.NetworkProfile;
import io.headersync.service.P2PClient;
import io.headersync.service.P2PConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node built with {@link EvNodeSync} does for its user, on an in-memory network. */
class EvNodeSyncTest {
  private static final Duration BLOCK_TIME = Duration.ofMillis(100);
  private static final long WAIT = 30;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Random random = new Random(42);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    network.close();
  }

  private P2PConfig.Builder p2p(List<Multiaddr> seeds) {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    P2PConfig.Builder b =
        P2PConfig.builder().identity(PrivateKey.ed25519FromSeed(seed)).inMemory(network);
    seeds.forEach(b::seed);
    return b;
  }

  private EvNodeSync.Builder builder(EvNodeSync.Role role, List<Multiaddr> seeds) {
    return EvNodeSync.builder("gm")
        .role(role)
        .profile(NetworkProfile.EVNODE)
        .p2p(p2p(seeds).build())
        .blockTime(BLOCK_TIME)
        .clock(Clock.systemUTC())
        .random(new Random(random.nextLong()));
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(c);
    return c;
  }

  private EvNodeSync started(EvNodeSync.Builder b) throws Exception {
    EvNodeSync node = closing(b.build());
    node.start().get(WAIT, TimeUnit.SECONDS);
    return node;
  }

  private static HeaderSigner signer() {
    return HeaderSigner.builder()
        .key(SignerKey.generate(new Random(7)))
        .chainId("gm")
        .clock(Clock.systemUTC())
        .build();
  }

  @Test
  void sequencerPublishesFullNodeGetsHeadersAndDataLightNodeHeadersOnly() throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
    HeaderSigner signer = signer();
    Block block = signer.genesis(List.of());
    sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    List<Multiaddr> seed = sequencer.p2p().addresses();
    EvNodeSync full = started(builder(EvNodeSync.Role.FULL, seed));
    EvNodeSync light = started(builder(EvNodeSync.Role.LIGHT, seed));
    for (int i = 0; i < 10; i++) {
      block = signer.next(block, List.of(("tx" + i).getBytes()));
      sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    }
    long head = block.height();
    full.awaitHeight(head).get(WAIT, TimeUnit.SECONDS);
    light.awaitHeight(head).get(WAIT, TimeUnit.SECONDS);

    assertEquals(
        block.p2pHeader().hash(), full.headers().store().getByHeight(head).orElseThrow().hash());
    assertEquals(
        block.data().hash(),
        full.data().orElseThrow().store().getByHeight(head).orElseThrow().hash());
    assertEquals(
        block.p2pHeader().hash(), light.headers().store().getByHeight(head).orElseThrow().hash());
    assertTrue(light.data().isEmpty(), "a light node has no data service");
    assertEquals(head, sequencer.data().orElseThrow().store().height());
    assertEquals("/gm-dataSync/header-sub/v0.0.1", full.data().orElseThrow().topic());
    assertEquals(EvNodeSync.Role.LIGHT, light.role());
  }

  @Test
  void theUsersWorkerPoolAndSchedulerReachBothServicesAndTheHostAndAreNotShutDown()
      throws Exception {
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.SECONDS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "user-worker");
              t.setDaemon(true);
              return t;
            });
    java.util.concurrent.ScheduledExecutorService timers =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
      Block last = publish(sequencer, 10);
      EvNodeSync full =
          started(
              builder(EvNodeSync.Role.FULL, sequencer.p2p().addresses())
                  .workerExecutor(pool)
                  .scheduler(timers));
      full.awaitHeight(last.height()).get(WAIT, TimeUnit.SECONDS);

      assertSame(pool, full.headers().workerExecutor());
      assertSame(pool, full.data().orElseThrow().workerExecutor());
      assertSame(pool, full.p2p().host().executor(), "the host's user executor");
      assertTrue(pool.getCompletedTaskCount() > 0, "work ran on the user's pool");
      CompletableFuture<String> where = new CompletableFuture<>();
      full.stop().whenComplete((v, e) -> where.complete(Thread.currentThread().getName()));
      full.terminated().get(WAIT, TimeUnit.SECONDS);
      assertEquals("user-worker", where.get(WAIT, TimeUnit.SECONDS), "the stop completes on it");
      assertFalse(pool.isShutdown(), "the node does not shut the user's pool down");
      assertFalse(timers.isShutdown(), "nor the user's scheduler");
    } finally {
      pool.shutdownNow();
      timers.shutdownNow();
    }
  }

  /** Publishes {@code n} empty blocks from genesis on {@code sequencer}; returns the last. */
  private static Block publish(EvNodeSync sequencer, int n) throws Exception {
    HeaderSigner signer = signer();
    Block block = signer.genesis(List.of());
    sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    for (int i = 1; i < n; i++) {
      block = signer.next(block, List.of());
      sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    }
    return block;
  }

  @Test
  void aLightNodeWithSyncFromHeightKeepsHeadersFromThatHeightOn() throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
    Block block = publish(sequencer, 31);
    EvNodeSync light =
        started(builder(EvNodeSync.Role.LIGHT, sequencer.p2p().addresses()).syncFromHeight(20));
    light.awaitHeight(block.height()).get(WAIT, TimeUnit.SECONDS);
    assertEquals(20, light.headers().store().tail().orElseThrow().height());
    assertEquals(block.p2pHeader().hash(), light.headers().store().head().orElseThrow().hash());
    IllegalStateException full =
        assertThrows(
            IllegalStateException.class,
            () -> builder(EvNodeSync.Role.FULL, List.of()).syncFromHeight(20).build());
    assertTrue(full.getMessage().contains("LIGHT"), full.getMessage());
  }

  /**
   * A light node restarted with a pruning window (the evnode profile's own is 99 years) prunes what
   * is older than the head's time minus the window; full nodes and sequencers refuse one.
   */
  @Test
  void aLightNodeWithAPruningWindowPrunesBehindTheHead(@TempDir Path dir) throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
    Block block = publish(sequencer, 31);
    EvNodeSync keeper =
        started(builder(EvNodeSync.Role.LIGHT, sequencer.p2p().addresses()).dataDir(dir));
    keeper.awaitHeight(block.height()).get(WAIT, TimeUnit.SECONDS);
    assertEquals(
        1,
        keeper.headers().store().tail().orElseThrow().height(),
        "the evnode profile keeps everything");
    keeper.stop().get(WAIT, TimeUnit.SECONDS);

    // Header times come from the system clock, never going back: a 1 ns window keeps the head and
    // the headers of the same instant.
    EvNodeSync light =
        started(
            builder(EvNodeSync.Role.LIGHT, sequencer.p2p().addresses())
                .dataDir(dir)
                .pruningWindow(Duration.ofNanos(1)));
    light
        .headers()
        .tailIdle()
        .get(WAIT, TimeUnit.SECONDS); // the tail work of the start, claimed by start()
    P2PSignedHeader tail = light.headers().store().tail().orElseThrow();
    P2PSignedHeader head = light.headers().store().head().orElseThrow();
    assertEquals(block.height(), head.height());
    assertTrue(
        tail.height() > 1 && !tail.time().isBefore(head.time().minusNanos(1)),
        "tail " + tail.height());
    assertTrue(light.headers().store().getByHeight(tail.height() - 1).isEmpty());
    assertEquals(tail.height() - 1, light.headers().syncMetrics().headersPruned());

    for (EvNodeSync.Role role : List.of(EvNodeSync.Role.FULL, EvNodeSync.Role.SEQUENCER)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> builder(role, List.of()).pruningWindow(Duration.ofHours(1)).build());
      assertTrue(e.getMessage().contains("pruningWindow is for LIGHT nodes"), e.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> EvNodeSync.builder("gm").pruningWindow(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> EvNodeSync.builder("gm").pruningWindow(Duration.ofSeconds(-1)));
  }

  @Test
  void aNodePinnedToTheSequencerSyncsOnePinnedToAnotherKeyRefusesItsGenesis() throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
    HeaderSigner signer = signer();
    Block block = signer.genesis(List.of());
    sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    List<Multiaddr> seed = sequencer.p2p().addresses();

    EvNodeSync pinned =
        started(builder(EvNodeSync.Role.LIGHT, seed).proposer(signer.key().signer()));
    block = signer.next(block, List.of());
    sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
    pinned.awaitHeight(block.height()).get(WAIT, TimeUnit.SECONDS);

    Signer someoneElse = SignerKey.generate(new Random(8)).signer();
    EvNodeSync wrong = closing(builder(EvNodeSync.Role.LIGHT, seed).proposer(someoneElse).build());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> wrong.start().get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(HeaderSyncException.class, e.getCause());
    assertTrue(
        e.getCause().getMessage().contains("was blocked for an invalid answer")
            && e.getCause().getMessage().contains("not by the expected proposer"),
        e.getCause().getMessage());

    assertEquals(
        "proposer == null",
        assertThrows(NullPointerException.class, () -> EvNodeSync.builder("gm").proposer(null))
            .getMessage());
  }

  @Test
  void aSequencerBuildsWithBlockBuilderResumesAfterARestartAndANodeWithTheGenesisChecksItsProposer(
      @TempDir Path dir) throws Exception {
    SignerKey key = SignerKey.generate(new Random(7));
    Instant start = Instant.now();
    Genesis genesis = Genesis.builder("gm").startTime(start).initialHeight(3).proposer(key).build();
    EvNodeSync sequencer =
        started(builder(EvNodeSync.Role.SEQUENCER, List.of()).genesis(genesis).dataDir(dir));
    BlockBuilder blocks = sequencer.blockBuilder(genesis, key).build();
    assertEquals(3, blocks.nextHeight(), "an empty sequencer starts at the genesis");
    Block last = null;
    for (int i = 0; i < 5; i++) {
      last = blocks.next(start.plusMillis(i), List.of(("k=" + i).getBytes()), Hash.EMPTY);
      sequencer.publish(last).get(WAIT, TimeUnit.SECONDS);
    }
    // A block that skips a height, or does not link to the head, is refused before it is sent.
    HeaderSigner forger =
        HeaderSigner.builder().key(key).chainId("gm").initialHeight(3).startTime(start).build();
    Block gap = forger.next(forger.next(last, List.of()), List.of());
    BlockRuleException e = assertThrows(BlockRuleException.class, () -> sequencer.publish(gap));
    assertEquals(BlockRuleException.Rule.HEIGHT, e.rule());
    Block fork = forger.next(forger.genesis(List.of()), List.of());
    Block unlinked =
        forger.next(
            forger.next(forger.next(forger.next(fork, List.of()), List.of()), List.of()),
            List.of());
    assertEquals(last.height() + 1, unlinked.height());
    e = assertThrows(BlockRuleException.class, () -> sequencer.publish(unlinked));
    assertEquals(BlockRuleException.Rule.LINK, e.rule());
    sequencer.stop().get(WAIT, TimeUnit.SECONDS);

    EvNodeSync again =
        started(builder(EvNodeSync.Role.SEQUENCER, List.of()).genesis(genesis).dataDir(dir));
    BlockBuilder resumed = again.blockBuilder(genesis, key).build();
    assertEquals(last, resumed.last().orElseThrow(), "continues after the stored head");
    Block next = resumed.next(start.plusSeconds(1), List.of(), Hash.EMPTY);
    again.publish(next).get(WAIT, TimeUnit.SECONDS);

    // A light node given the genesis initialises at its initial height and checks the proposer's
    // signatures.
    EvNodeSync light =
        started(builder(EvNodeSync.Role.LIGHT, again.p2p().addresses()).genesis(genesis));
    light.awaitHeight(next.height()).get(WAIT, TimeUnit.SECONDS);
    assertEquals(3, light.headers().store().tail().orElseThrow().height());

    Genesis otherChain = Genesis.builder("other").startTime(start).proposer(key).build();
    assertEquals(
        BlockRuleException.Rule.CHAIN_ID,
        assertThrows(BlockRuleException.class, () -> again.blockBuilder(otherChain, key)).rule());
    assertThrows(
        IllegalStateException.class,
        () -> builder(EvNodeSync.Role.FULL, List.of()).genesis(otherChain).build());
    assertThrows(IllegalStateException.class, () -> light.blockBuilder(genesis, key));
    Genesis otherProposer =
        Genesis.builder("gm")
            .startTime(start)
            .initialHeight(3)
            .proposer(SignerKey.generate(new Random(8)))
            .build();
    EvNodeSync wrong =
        closing(
            builder(EvNodeSync.Role.LIGHT, again.p2p().addresses()).genesis(otherProposer).build());
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> wrong.start().get(WAIT, TimeUnit.SECONDS));
    assertTrue(
        failed.getCause().getMessage().contains("not by the expected proposer"),
        failed.getCause().getMessage());
  }

  @Test
  void builderRefusesBadConfigurationWithClearMessages() {
    assertEquals(
        "chainId is empty",
        assertThrows(IllegalArgumentException.class, () -> EvNodeSync.builder("")).getMessage());
    assertEquals(
        "chainId == null",
        assertThrows(NullPointerException.class, () -> EvNodeSync.builder(null)).getMessage());
    EvNodeSync.Builder b = EvNodeSync.builder("gm");
    assertEquals(
        "role == null", assertThrows(NullPointerException.class, () -> b.role(null)).getMessage());
    assertEquals(
        "blockTime must be positive, got PT0S",
        assertThrows(IllegalArgumentException.class, () -> b.blockTime(Duration.ZERO))
            .getMessage());
    assertEquals(
        "initTimeout must be positive, got PT-1S",
        assertThrows(IllegalArgumentException.class, () -> b.initTimeout(Duration.ofSeconds(-1)))
            .getMessage());
    IllegalStateException noBlockTime = assertThrows(IllegalStateException.class, b::build);
    assertTrue(
        noBlockTime.getMessage().startsWith("blockTime is required"), noBlockTime.getMessage());

    EvNodeSync.Builder sequencer =
        EvNodeSync.builder("gm")
            .role(EvNodeSync.Role.SEQUENCER)
            .blockTime(BLOCK_TIME)
            .trustedHash(Hash.EMPTY);
    IllegalStateException trusted = assertThrows(IllegalStateException.class, sequencer::build);
    assertTrue(
        trusted.getMessage().startsWith("trustedHash is for FULL and LIGHT nodes"),
        trusted.getMessage());
  }

  @Test
  void onlyASequencerPublishesAndOnlyBlocksOfItsChain() throws Exception {
    EvNodeSync full = closing(builder(EvNodeSync.Role.FULL, List.of()).build());
    Block block = signer().genesis(List.of());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> full.publish(block));
    assertEquals(
        "full node of gm is a FULL node; only a SEQUENCER publishes blocks", e.getMessage());

    EvNodeSync sequencer = closing(builder(EvNodeSync.Role.SEQUENCER, List.of()).build());
    HeaderSigner other =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(8)))
            .chainId("other")
            .clock(Clock.systemUTC())
            .build();
    IllegalArgumentException wrongChain =
        assertThrows(
            IllegalArgumentException.class, () -> sequencer.publish(other.genesis(List.of())));
    assertTrue(wrongChain.getMessage().contains("of chain \"other\""), wrongChain.getMessage());

    // Not started yet: the future fails, naming the part and the service's state.
    ExecutionException notRunning =
        assertThrows(
            ExecutionException.class, () -> sequencer.publish(block).get(WAIT, TimeUnit.SECONDS));
    HeaderSyncException cause = assertInstanceOf(HeaderSyncException.class, notRunning.getCause());
    assertTrue(
        cause
            .getMessage()
            .startsWith("sequencer node of gm: publishing the header of block 1 failed"),
        cause.getMessage());
    assertInstanceOf(IllegalStateException.class, cause.getCause());
  }

  @Test
  void aFailedStartStepStopsWhatWasBuiltAndNamesTheStep() throws Exception {
    EvNodeSync sequencer =
        started(builder(EvNodeSync.Role.SEQUENCER, List.of())); // produced nothing
    EvNodeSync full =
        closing(
            builder(EvNodeSync.Role.FULL, sequencer.p2p().addresses())
                .initTimeout(Duration.ofMillis(200))
                .build());

    ExecutionException e =
        assertThrows(ExecutionException.class, () -> full.start().get(WAIT, TimeUnit.SECONDS));
    HeaderSyncException cause = assertInstanceOf(HeaderSyncException.class, e.getCause());
    assertTrue(
        cause
            .getMessage()
            .startsWith("full node of gm: header service start failed: no trusted peer"),
        cause.getMessage());
    assertEquals(HeaderSyncService.State.FAILED, full.headers().state());
    assertEquals(
        HeaderSyncService.State.STOPPED,
        full.data().orElseThrow().state(),
        "never started, stopped");
    assertP2PClosed(full.p2p());
    // The failure stays: later starts report it, stop is a no-op.
    ExecutionException again =
        assertThrows(ExecutionException.class, () -> full.start().get(WAIT, TimeUnit.SECONDS));
    assertEquals(cause, again.getCause());
    full.stop().get(WAIT, TimeUnit.SECONDS);
  }

  @Test
  void aP2PStartFailureIsNamedAndTheServicesAreStopped() throws Exception {
    InMemoryNetwork closed = new InMemoryNetwork();
    closed.close();
    EvNodeSync node =
        closing(
            EvNodeSync.builder("gm")
                .p2p(P2PConfig.builder().inMemory(closed).build())
                .blockTime(BLOCK_TIME)
                .build());

    ExecutionException e =
        assertThrows(ExecutionException.class, () -> node.start().get(WAIT, TimeUnit.SECONDS));
    assertTrue(
        e.getCause().getMessage().startsWith("full node of gm: P2P start failed"),
        e.getCause().getMessage());
    assertEquals(HeaderSyncService.State.STOPPED, node.headers().state());
    assertEquals(HeaderSyncService.State.STOPPED, node.data().orElseThrow().state());
    assertP2PClosed(node.p2p());
  }

  @Test
  void stopIsGracefulAndIdempotent(@TempDir Path dir) throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()).dataDir(dir));
    Block block = signer().genesis(List.of());
    sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);

    CompletableFuture<Void> first = sequencer.stop();
    CompletableFuture<Void> second = sequencer.stop();
    first.get(WAIT, TimeUnit.SECONDS);
    second.get(WAIT, TimeUnit.SECONDS);
    sequencer.close();
    assertEquals(HeaderSyncService.State.STOPPED, sequencer.headers().state());
    assertEquals(HeaderSyncService.State.STOPPED, sequencer.data().orElseThrow().state());
    assertP2PClosed(sequencer.p2p());
    sequencer
        .start()
        .get(WAIT, TimeUnit.SECONDS); // the one start, long done: a node does not restart
    assertEquals(Service.State.STOPPED, sequencer.state());
    assertEquals(HeaderSyncService.State.STOPPED, sequencer.headers().state());

    // The stores were flushed to dir/headers and dir/data: a new node resumes from them.
    EvNodeSync again = started(builder(EvNodeSync.Role.SEQUENCER, List.of()).dataDir(dir));
    assertEquals(1, again.headers().store().height());
    assertEquals(
        block.data().hash(),
        again.data().orElseThrow().store().getByHeight(1).orElseThrow().hash());
  }

  /**
   * A data store ahead of its header store (e.g. restored from another backup) is refused with both
   * heights named, and nothing is deleted: the data store still holds its blocks afterwards.
   */
  @Test
  void aDataStoreAheadOfItsHeaderStoreIsRefusedNamingBothHeights(@TempDir Path a, @TempDir Path b)
      throws Exception {
    HeaderSigner signer = signer();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      blocks.add(i == 0 ? signer.genesis(List.of()) : signer.next(blocks.get(i - 1), List.of()));
    }
    for (Path dir : List.of(a, b)) {
      EvNodeSync sequencer = builder(EvNodeSync.Role.SEQUENCER, List.of()).dataDir(dir).build();
      sequencer.start().get(WAIT, TimeUnit.SECONDS);
      for (Block block : blocks.subList(0, dir == a ? 10 : 5)) {
        sequencer.publish(block).get(WAIT, TimeUnit.SECONDS);
      }
      sequencer.stop().get(WAIT, TimeUnit.SECONDS);
    }
    // b's headers (5) with a's data (10).
    try (var files = Files.walk(b.resolve("data"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    try (var files = Files.walk(a.resolve("data"))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, b.resolve("data").resolve(a.resolve("data").relativize(p).toString()));
      }
    }
    EvNodeSync restored = closing(builder(EvNodeSync.Role.FULL, List.of()).dataDir(b).build());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> restored.start().get(WAIT, TimeUnit.SECONDS));
    String message = e.getCause().getMessage();
    assertTrue(message.contains("store's head 10 is above its anchor's head 5"), message);
    restored.close();

    EvNodeSync check = started(builder(EvNodeSync.Role.LIGHT, List.of()).dataDir(b));
    assertEquals(5, check.headers().store().height());
    check.close();
    EvNodeSync again = closing(builder(EvNodeSync.Role.FULL, List.of()).dataDir(b).build());
    assertThrows(ExecutionException.class, () -> again.start().get(WAIT, TimeUnit.SECONDS));
    assertTrue(Files.exists(b.resolve("data")), "nothing deleted");
  }

  @Test
  void stopWhileStartingFailsTheStart() throws Exception {
    EvNodeSync sequencer =
        started(builder(EvNodeSync.Role.SEQUENCER, List.of())); // nobody has a genesis
    EvNodeSync full = closing(builder(EvNodeSync.Role.FULL, sequencer.p2p().addresses()).build());
    CompletableFuture<Void> start = full.start(); // in whichever step: none can finish (no genesis)
    full.stop().get(WAIT, TimeUnit.SECONDS);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> start.get(WAIT, TimeUnit.SECONDS));
    assertInstanceOf(ServiceStoppedException.class, e.getCause());
    assertEquals(Service.State.STOPPED, full.state());
    assertP2PClosed(full.p2p());
  }

  @Test
  void aSharedP2PClientIsNeitherStartedNorClosedByTheNode() throws Exception {
    P2PClient shared = closing(P2PClient.create(p2p(List.of()).build(), NetworkProfile.EVNODE));
    shared.start().get(WAIT, TimeUnit.SECONDS); // the caller starts it
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()).p2p(shared));
    assertEquals(shared, sequencer.p2p());
    sequencer.publish(signer().genesis(List.of())).get(WAIT, TimeUnit.SECONDS);
    sequencer.stop().get(WAIT, TimeUnit.SECONDS);

    shared.start().get(WAIT, TimeUnit.SECONDS); // not closed: start is still a no-op that succeeds
    assertEquals(1, shared.addresses().size());
  }

  @Test
  void awaitHeightCoversDataAndCanBeCancelled() throws Exception {
    EvNodeSync sequencer = started(builder(EvNodeSync.Role.SEQUENCER, List.of()));
    CompletableFuture<Void> h1 = sequencer.awaitHeight(1);
    CompletableFuture<Void> h5 = sequencer.awaitHeight(5);
    sequencer.publish(signer().genesis(List.of())).get(WAIT, TimeUnit.SECONDS);
    h1.get(WAIT, TimeUnit.SECONDS);
    assertTrue(h5.cancel(false));
    assertTrue(h5.isCancelled());
  }

  /** The client released everything (stopped, or failed to start) and does not start again. */
  private static void assertP2PClosed(P2PClient p2p) throws Exception {
    Service.State end = p2p.state();
    assertTrue(end.isTerminal(), end.toString());
    CompletableFuture<Void> again = p2p.start();
    if (end == Service.State.FAILED) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> again.get(WAIT, TimeUnit.SECONDS));
      assertEquals(
          p2p.failure().orElseThrow(), e.getCause(), "a failed client's start reports its failure");
    } else {
      again.handle((v, e) -> null).get(WAIT, TimeUnit.SECONDS); // the one start's outcome
    }
    assertEquals(end, p2p.state());
  }
}
