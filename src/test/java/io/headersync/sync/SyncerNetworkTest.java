package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Header;
import io.headersync.VerifyException;
import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.EvNodeValidationException;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.ProposerCheck;
import io.headersync.evnode.SignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.pubsub.PubSub;
import io.headersync.store.InMemoryStore;
import io.headersync.store.RocksDbStore;
import io.headersync.subscriber.Subscriber;
import io.headersync.testing.Identified;
import io.headersync.testing.MemoryHosts;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syncer over the real exchange and P2P servers on in-memory hosts running the full libp2p
 * stack.
 */
class SyncerNetworkTest {
  private static final long T = 60;
  private static final String NETWORK = "test";
  private static final String PROTOCOL = ExchangeProtocol.protocolId(NETWORK);
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(GENESIS.plus(Duration.ofDays(1)), ZoneOffset.UTC);
  private static final int N = 4_000;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final ExecutorService worker = Executors.newFixedThreadPool(2);
  private final List<DummyHeader> chain = new DummyChain(GENESIS).next(N);
  private final List<Syncer<DummyHeader>> syncers = new ArrayList<>();
  private int seed = 1;

  @AfterEach
  void close() throws Exception {
    for (Syncer<DummyHeader> s : syncers) {
      s.stop().get(T, TimeUnit.SECONDS);
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    scheduler.shutdownNow();
    storeExecutor.shutdownNow();
    worker.shutdownNow();
  }

  private Host host() throws Exception {
    Host h = MemoryHosts.start(network, seed++, new ConnectionGater(), T);
    closeables.add(h);
    return h;
  }

  private <H extends Header> Host server(List<H> headers) throws Exception {
    Host h = host();
    InMemoryStore<H> store = new InMemoryStore<>();
    store.append(headers).join();
    P2PServer<H> server =
        new P2PServer<>(h, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, CLOCK);
    server.start();
    closeables.add(server);
    return h;
  }

  private Exchange<DummyHeader> client(List<Host> servers) throws Exception {
    Host h = host();
    ConnectionGater gater = new ConnectionGater();
    List<PeerId> trusted = servers.stream().map(Host::peerId).toList();
    Exchange<DummyHeader> ex =
        Exchange.builder(h, DummyHeader.TYPE, PROTOCOL)
            .chainId("test")
            .trustedPeers(trusted)
            .gater(gater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(7))
            .build();
    ex.start();
    closeables.add(ex);
    connect(h, servers);
    return ex;
  }

  /** Connects {@code h} to {@code servers} and waits until identify ran with each. */
  private static void connect(Host h, List<Host> servers) throws Exception {
    Identified.connect(h, servers, T);
  }

  private Syncer<DummyHeader> syncer(
      InMemoryStore<DummyHeader> store,
      Exchange<DummyHeader> ex,
      SyncListener<DummyHeader> listener) {
    Syncer<DummyHeader> s =
        Syncer.builder(store, ex, DummyHeader.TYPE)
            .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .listener(listener)
            .build();
    syncers.add(s);
    return s;
  }

  private InMemoryStore<DummyHeader> genesisStore() {
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    store.append(chain.subList(0, 1)).join();
    return store;
  }

  private void assertSameChain(InMemoryStore<DummyHeader> store) {
    assertEquals(N, store.height());
    for (long height : new long[] {1, 2, 64, 65, 1_000, N - 1, N}) {
      assertEquals(chain.get((int) height - 1), store.getByHeight(height).orElseThrow());
    }
  }

  @Test
  void catchesUpFromOneServer() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain)));
    InMemoryStore<DummyHeader> store = genesisStore();
    AtomicInteger appended = new AtomicInteger();
    Syncer<DummyHeader> syncer =
        syncer(
            store,
            ex,
            new SyncListener<>() {
              @Override
              public void batchAppended(long fromHeight, int count, Duration elapsed) {
                appended.addAndGet(count);
              }
            });
    syncer.start().get(T, TimeUnit.SECONDS);
    syncer.syncWait().get(T, TimeUnit.SECONDS);
    assertSameChain(store);
    SyncState state = syncer.syncState();
    assertTrue(state.finished());
    assertEquals(2, state.fromHeight());
    assertEquals(N, state.toHeight());
    // syncWait completes (on a worker) when the head is readable; the syncer counts the last batch
    // on
    // another worker task right after, so the counts are read once stop() drained the job.
    syncer.stop().get(T, TimeUnit.SECONDS);
    assertEquals(N - 1, syncer.metrics().headersAppended());
    assertEquals(N - 1, appended.get()); // every batch was reported before its append completed
  }

  @Test
  void catchesUpFromTwoServers() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain), server(chain)));
    InMemoryStore<DummyHeader> store = genesisStore();
    Syncer<DummyHeader> syncer = syncer(store, ex, new SyncListener<>() {});
    syncer.start().get(T, TimeUnit.SECONDS);
    syncer.syncWait().get(T, TimeUnit.SECONDS);
    assertSameChain(store);
  }

  @Test
  void stopDuringCatchUpThenANewSyncerOnTheSameStoreResumes() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain)));
    InMemoryStore<DummyHeader> store = genesisStore();
    CompletableFuture<Void> firstBatch = new CompletableFuture<>();
    Syncer<DummyHeader> first =
        syncer(
            store,
            ex,
            new SyncListener<>() {
              @Override
              public void batchAppended(long fromHeight, int count, Duration elapsed) {
                firstBatch.complete(null);
              }
            });
    first.start().get(T, TimeUnit.SECONDS);
    firstBatch.get(T, TimeUnit.SECONDS);
    first.stop().get(T, TimeUnit.SECONDS);
    long stoppedAt = store.height();
    assertTrue(stoppedAt > 1, "appended before the stop: " + stoppedAt);
    // Stopped means stopped: nothing is appended afterwards (the session was cancelled and
    // drained).
    assertEquals(stoppedAt, store.height());
    Syncer<DummyHeader> second = syncer(store, ex, new SyncListener<>() {});
    second.start().get(T, TimeUnit.SECONDS);
    // Not syncWait(): under load the first head request may time out, and then (as go-header's
    // Head) the syncer starts from its store head and only learns the network head on its refresh.
    store.awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertSameChain(store);
    if (stoppedAt < N) {
      assertEquals(stoppedAt + 1, second.syncState().fromHeight());
    }
  }

  @Test
  void aRestartOnTheSameRocksDbResumesWithoutRefetching(@TempDir Path dir) throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain)));
    long stoppedAt;
    try (RocksDbStore<DummyHeader> store =
        RocksDbStore.builder(DummyHeader.TYPE).path(dir).build()) {
      store.append(chain.subList(0, 1)).join();
      CompletableFuture<Void> firstBatch = new CompletableFuture<>();
      Syncer<DummyHeader> first =
          Syncer.builder(store, ex, DummyHeader.TYPE)
              .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
              .clock(CLOCK)
              .scheduler(scheduler)
              .workerExecutor(worker)
              .listener(
                  new SyncListener<>() {
                    @Override
                    public void batchAppended(long fromHeight, int count, Duration elapsed) {
                      firstBatch.complete(null);
                    }
                  })
              .build();
      first.start().get(T, TimeUnit.SECONDS);
      firstBatch.get(T, TimeUnit.SECONDS);
      first.stop().get(T, TimeUnit.SECONDS);
      stoppedAt = store.height();
    }
    try (RocksDbStore<DummyHeader> store =
        RocksDbStore.builder(DummyHeader.TYPE).path(dir).build()) {
      assertEquals(stoppedAt, store.height());
      Syncer<DummyHeader> second =
          Syncer.builder(store, ex, DummyHeader.TYPE)
              .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
              .clock(CLOCK)
              .scheduler(scheduler)
              .workerExecutor(worker)
              .build();
      second.start().get(T, TimeUnit.SECONDS);
      store.awaitHeight(N).get(T, TimeUnit.SECONDS); // not syncWait(): see the test above
      second.stop().get(T, TimeUnit.SECONDS);
      assertEquals(N, store.height());
      assertEquals(N - stoppedAt, second.metrics().headersAppended()); // nothing fetched twice
      assertEquals(chain.get(N - 1), store.head().orElseThrow());
      if (stoppedAt < N) {
        assertEquals(chain.get((int) stoppedAt), store.getByHeight(stoppedAt + 1).orElseThrow());
        assertEquals(stoppedAt + 1, second.syncState().fromHeight());
      }
    }
  }

  @Test
  void gossipFarAheadIsFetchedFromTheNetwork() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain)));
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    store.append(chain.subList(0, N - 100)).join();
    // A clock at the head's time: the head is recent, so only gossip moves the syncer.
    Clock atHead = Clock.fixed(chain.get(N - 101).time(), ZoneOffset.UTC);
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, ex, DummyHeader.TYPE)
            .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
            .clock(atHead)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .build();
    syncers.add(syncer);
    syncer.start().get(T, TimeUnit.SECONDS);
    assertEquals(N - 100, store.height());
    syncer.incomingHead(chain.get(N - 1)).get(T, TimeUnit.SECONDS);
    syncer.syncWait().get(T, TimeUnit.SECONDS);
    assertSameChain(store);
  }

  /**
   * {@code h} (ev-node) with one bit of its signature flipped: same hash, same links, invalid
   * signature.
   */
  private static P2PSignedHeader forge(P2PSignedHeader h) {
    SignedHeader signed = h.signedHeader();
    byte[] sig = signed.signature();
    sig[sig.length - 1] ^= 1;
    return P2PSignedHeader.of(signed.withSignature(sig), h.daHeightHint());
  }

  /**
   * A peer serves the sequencer's ev-node chain with garbage signatures next to an honest one. The
   * header hash does not cover the signature, so links and hashes verify: only the syncer's
   * proposer check fails. The peer that served the forged header is blocked, the retry syncs from
   * the honest peer, and no forged header is ever stored (the store is append-only, so checking it
   * at the end covers the whole run).
   */
  @Test
  void blocksThePeerServingForgedSignaturesAndSyncsFromTheHonestOne() throws Exception {
    Throwable cause = syncNextToAForger(false);
    // The first job failed on a forged header and named the peer that served it.
    assertNotNull(cause, "a job failed on a forged header");
  }

  /**
   * As above, but the forger also answers head requests with the real head under a forged
   * signature: it has the honest head's hash, so without the exchange's head check it would count
   * towards the head quorum and its copy could be the one returned.
   */
  @Test
  void aForgedHeadIsRefusedAndItsPeerBlocked() throws Exception {
    syncNextToAForger(true);
  }

  /**
   * Syncs 1,000 ev-node headers from an honest peer and a forger (the forger's chain without or
   * with the head); checks the store holds only honest headers, the forger is blocked and the
   * honest peer is not. Returns the failure of the first job, or null if none failed.
   */
  private Throwable syncNextToAForger(boolean forgerHasTheHead) throws Exception {
    int n = 1_000;
    HeaderSigner sequencer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(1)))
            .chainId("gm")
            .startTime(GENESIS)
            .blockTime(Duration.ofSeconds(1))
            .build();
    List<P2PSignedHeader> evChain = sequencer.chain(n).stream().map(Block::p2pHeader).toList();
    ProposerCheck proposerCheck = ProposerCheck.of(sequencer.key().signer());
    Host honest = server(evChain);
    // With the head, every header the forger has is forged, its head answer included. Without it,
    // its
    // own head (height n - 1) keeps the honest signature, so its head answer passes the head check
    // and
    // the head request settles on the honest head (the highest); only the range check can catch it.
    int forgerHeight = forgerHasTheHead ? n : n - 1;
    List<P2PSignedHeader> forgedChain = new ArrayList<>();
    for (int i = 0; i < forgerHeight; i++) {
      P2PSignedHeader h = evChain.get(i);
      forgedChain.add(forgerHasTheHead || i < forgerHeight - 1 ? forge(h) : h);
    }
    assertEquals(
        evChain.get(500).hash(),
        forgedChain.get(500).hash(),
        "the hash does not cover the signature");
    assertThrows(EvNodeValidationException.class, forgedChain.get(500)::verifySignature);
    Host forger = server(forgedChain);

    Host client = host();
    ConnectionGater gater = new ConnectionGater();
    Exchange<P2PSignedHeader> ex =
        Exchange.builder(client, EvNodeTypes.P2P_SIGNED_HEADER, PROTOCOL)
            .chainId("gm")
            .trustedPeers(List.of(honest.peerId(), forger.peerId()))
            .gater(gater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(7))
            .headCheck(proposerCheck::check) // as HeaderSyncService wires its extra check
            // Two requests in flight per peer: both peers get chunks of the first session,
            // whichever
            // connected first (with the default 16, the first peer would be asked for the whole
            // range).
            .options(ExchangeOptions.builder().perPeerDepth(2).build())
            .build();
    ex.start();
    closeables.add(ex);
    connect(client, List.of(honest, forger));
    assertEquals(2, ex.trackedPeers().size());

    InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
    store.append(evChain.subList(0, 1)).join();
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    Syncer<P2PSignedHeader> syncer =
        Syncer.builder(store, ex, EvNodeTypes.P2P_SIGNED_HEADER)
            .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .extraCheck(proposerCheck)
            .listener(
                new SyncListener<>() {
                  @Override
                  public void syncFailed(SyncState state, Throwable cause) {
                    failed.complete(cause);
                  }
                })
            .build();
    closeables.add(() -> syncer.stop().get(T, TimeUnit.SECONDS));

    syncer.start().get(T, TimeUnit.SECONDS);
    syncer.syncWait().get(T, TimeUnit.SECONDS);

    assertEquals(n, store.height());
    for (long height = 1; height <= n; height++) {
      P2PSignedHeader stored = store.getByHeight(height).orElseThrow();
      assertArrayEquals(
          evChain.get((int) height - 1).signedHeader().signature(),
          stored.signedHeader().signature(),
          "forged header stored at " + height);
    }
    assertTrue(
        gater.blockedPeers().contains(forger.peerId()), "forger blocked: " + gater.blockedPeers());
    assertFalse(gater.blockedPeers().contains(honest.peerId()), "honest peer blocked");
    assertEquals(List.of(honest.peerId()), ex.trackedPeers());
    assertTrue(
        syncer.metrics().syncFailures() <= 1,
        "at most one failed job, then the retry from the honest peer");
    if (syncer.metrics().syncFailures() == 1) {
      Throwable cause = failed.get(T, TimeUnit.SECONDS);
      assertTrue(
          cause.getMessage().contains("was served by " + forger.peerId()), cause.getMessage());
      return cause;
    }
    return null;
  }

  private record Node(Host host, PubSub pubSub, Subscriber<DummyHeader> subscriber) {}

  private Node node() throws Exception {
    byte[] s = new byte[32];
    new Random(seed++).nextBytes(s);
    PrivateKey key = PrivateKey.ed25519FromSeed(s);
    Host h =
        Host.builder(key)
            .inMemory(network)
            .listen(Multiaddr.parse("/memory/0"))
            .gater(new ConnectionGater())
            .build();
    closeables.add(h);
    h.start().get(T, TimeUnit.SECONDS);
    PubSub p = PubSub.builder(h, key).build();
    closeables.add(p);
    p.start().get(T, TimeUnit.SECONDS);
    Subscriber<DummyHeader> sub =
        new Subscriber<>(p, DummyHeader.TYPE, Subscriber.topic(NETWORK), CLOCK);
    closeables.add(sub);
    sub.start();
    return new Node(h, p, sub);
  }

  private static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  /**
   * A follower's syncer as the validator of the header topic (go-header's {@code
   * TestSyncerWithSubscriber}): a "sequencer" host serves its store and broadcasts new headers; the
   * follower catches up through the exchange, then follows gossip: adjacent headers are appended, a
   * header far ahead is the new target and the gap is fetched, known headers are ignored (soft) and
   * invalid ones rejected (hard).
   */
  @Test
  void followerCatchesUpThenFollowsGossip() throws Exception {
    String protocol = PROTOCOL;
    Node sequencer = node();
    InMemoryStore<DummyHeader> served = new InMemoryStore<>();
    served.append(chain.subList(0, 1_000)).join();
    P2PServer<DummyHeader> server =
        new P2PServer<>(
            sequencer.host(), served, protocol, ServerOptions.defaults(), storeExecutor, CLOCK);
    server.start();
    closeables.add(server);
    sequencer.subscriber().setVerifier(h -> CompletableFuture.completedFuture(null));

    Node follower = node();
    Exchange<DummyHeader> ex =
        Exchange.builder(follower.host(), DummyHeader.TYPE, protocol)
            .chainId("test")
            .trustedPeers(List.of(sequencer.host().peerId()))
            .gater(new ConnectionGater())
            .scheduler(scheduler)
            .clock(CLOCK)
            .build();
    ex.start();
    closeables.add(ex);
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    store.append(chain.subList(0, 1)).join();
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, ex, DummyHeader.TYPE)
            .options(SyncerOptions.defaults(Duration.ofSeconds(1)))
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .build();
    closeables.add(() -> get(syncer.stop()));
    List<Throwable> outcomes = new ArrayList<>();
    CompletableFuture<Void> fourOutcomes = new CompletableFuture<>();
    follower
        .subscriber()
        .setVerifier(
            h ->
                syncer
                    .incomingHead(h)
                    .whenComplete(
                        (v, e) -> {
                          synchronized (outcomes) {
                            outcomes.add(e);
                            if (outcomes.size() == 4) {
                              fourOutcomes.complete(null);
                            }
                          }
                        }));
    closeables.add(follower.subscriber().subscribe());

    CompletableFuture<Void> identified = Identified.by(follower.host(), null, protocol);
    get(follower.host().connect(sequencer.host().listenAddresses().get(0)));
    get(identified);
    get(sequencer.pubSub().awaitPeer(Subscriber.topic(NETWORK), follower.host().peerId()));

    get(syncer.start());
    get(syncer.syncWait());
    assertEquals(1_000, store.height());

    // Adjacent: appended from gossip alone.
    served.append(chain.subList(1_000, 1_001)).join();
    get(sequencer.subscriber().broadcast(chain.get(1_000)));
    assertEquals(chain.get(1_000), get(store.awaitHeight(1_001)));

    // Far ahead: the new target; the gap comes through the exchange.
    served.append(chain.subList(1_001, 1_200)).join();
    get(sequencer.subscriber().broadcast(chain.get(1_199)));
    assertEquals(chain.get(1_199), get(store.awaitHeight(1_200)));

    // Known: ignored (soft). Invalid (another chain): rejected (hard).
    get(sequencer.subscriber().broadcast(chain.get(500)));
    get(sequencer.subscriber().broadcast(chain.get(1_199).next().withChainId("other")));
    get(fourOutcomes);
    synchronized (outcomes) {
      assertNull(outcomes.get(0));
      assertNull(outcomes.get(1));
      List<VerifyException.Reason> reasons = new ArrayList<>();
      for (Throwable e : outcomes.subList(2, 4)) {
        VerifyException v = assertInstanceOf(VerifyException.class, e);
        assertEquals(v.reason() == VerifyException.Reason.KNOWN_HEADER, v.isSoft(), v.getMessage());
        reasons.add(v.reason());
      }
      assertTrue(
          reasons.containsAll(
              List.of(VerifyException.Reason.KNOWN_HEADER, VerifyException.Reason.WRONG_CHAIN_ID)),
          reasons.toString());
    }
    assertEquals(2, syncer.metrics().gossipAccepted());
    assertEquals(1, syncer.metrics().gossipRejected());
    assertEquals(1_200, store.height());
  }
}
