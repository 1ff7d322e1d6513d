package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.Hash;
import io.headersync.VerifyException;
import io.headersync.evnode.Block;
import io.headersync.evnode.Data;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.Metadata;
import io.headersync.evnode.P2PData;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeOptions;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.internal.Futures;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.PeerId;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.Identified;
import io.headersync.testing.MemoryHosts;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Block data synced against verified headers ({@link Anchor}), over the real exchange on in-memory
 * hosts: ev-node blocks, 1 in 10 with transactions. Data follows the header store's head, is
 * checked against the header at its height, is fetched in ranges without bifurcation, waits for its
 * header when gossiped early, and a peer serving data that does not match its header is blocked.
 */
class AnchoredSyncerTest {
  private static final long T = 60;
  private static final String PROTOCOL = ExchangeProtocol.protocolId("gm-dataSync");
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(GENESIS.plus(Duration.ofDays(1)), ZoneOffset.UTC);
  private static final int N = 2_000;

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final ExecutorService worker = Executors.newFixedThreadPool(2);
  private final List<Block> blocks = blocks(N);
  private final List<P2PSignedHeader> headers = blocks.stream().map(Block::p2pHeader).toList();
  private final List<P2PData> data = blocks.stream().map(Block::p2pData).toList();
  private final ConnectionGater gater = new ConnectionGater();
  private int seed = 1;

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    scheduler.shutdownNow();
    storeExecutor.shutdownNow();
    worker.shutdownNow();
  }

  /** An ev-node chain: every tenth block carries 20 transactions of 200 bytes. */
  private static List<Block> blocks(int n) {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.generate(new Random(1)))
            .chainId("gm")
            .startTime(GENESIS)
            .blockTime(Duration.ofSeconds(1))
            .build();
    Random random = new Random(2);
    List<Block> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<byte[]> txs = new ArrayList<>();
      if (i % 10 == 9) {
        for (int t = 0; t < 20; t++) {
          byte[] tx = new byte[200];
          random.nextBytes(tx);
          txs.add(tx);
        }
      }
      out.add(i == 0 ? signer.genesis(txs) : signer.next(out.get(i - 1), txs));
    }
    return out;
  }

  private Host host() throws Exception {
    Host h = MemoryHosts.start(network, seed++, new ConnectionGater(), T);
    closeables.add(h);
    return h;
  }

  private Host server(List<P2PData> served) throws Exception {
    Host h = host();
    InMemoryStore<P2PData> store = new InMemoryStore<>();
    store.append(served).join();
    P2PServer<P2PData> server =
        new P2PServer<>(h, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, CLOCK);
    server.start();
    closeables.add(server);
    return h;
  }

  private Host clientHost;

  private Exchange<P2PData> client(List<Host> servers, int perPeerDepth) throws Exception {
    Host h = host();
    clientHost = h;
    List<PeerId> trusted = servers.stream().map(Host::peerId).toList();
    Exchange<P2PData> ex =
        Exchange.builder(h, EvNodeTypes.P2P_DATA, PROTOCOL)
            .chainId("gm")
            .trustedPeers(trusted)
            .gater(gater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(7))
            .options(ExchangeOptions.builder().perPeerDepth(perPeerDepth).build())
            .build();
    ex.start();
    closeables.add(ex);
    Identified.connect(h, servers, T);
    return ex;
  }

  private InMemoryStore<P2PSignedHeader> headerStore(int height) {
    InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
    store.append(headers.subList(0, height)).join();
    return store;
  }

  private InMemoryStore<P2PData> dataStore() {
    InMemoryStore<P2PData> store = new InMemoryStore<>();
    store.append(data.subList(0, 1)).join();
    return store;
  }

  private Syncer<P2PData> syncer(
      InMemoryStore<P2PData> store,
      HeaderSource<P2PData> source,
      InMemoryStore<P2PSignedHeader> anchor,
      SyncerOptions options) {
    Syncer.Builder<P2PData> b =
        Syncer.builder(store, source, EvNodeTypes.P2P_DATA)
            .options(options)
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker);
    if (anchor != null) {
      b.anchor(Anchor.of(anchor, EvNodeTypes.DATA_MATCHES_HEADER));
    }
    Syncer<P2PData> s = b.build();
    closeables.add(() -> s.stop().get(T, TimeUnit.SECONDS));
    return s;
  }

  private static SyncerOptions options() {
    return SyncerOptions.defaults(Duration.ofSeconds(1));
  }

  private void assertHonest(InMemoryStore<P2PData> store, long height) {
    assertEquals(height, store.height());
    for (long h = 1; h <= height; h++) {
      assertEquals(data.get((int) h - 1), store.getByHeight(h).orElseThrow(), "data at " + h);
    }
  }

  @Test
  void catchesUpToTheHeaderStoreHeadInRangesWithoutBifurcation() throws Exception {
    Exchange<P2PData> ex = client(List.of(server(data)), 16);
    InMemoryStore<P2PSignedHeader> anchor = headerStore(N);
    InMemoryStore<P2PData> store = dataStore();
    Syncer<P2PData> syncer = syncer(store, HeaderSource.of(ex), anchor, options());
    assertTrue(syncer.isAnchored());
    syncer.start().get(T, TimeUnit.SECONDS);
    syncer.syncWait().get(T, TimeUnit.SECONDS);
    assertHonest(store, N);
    SyncMetrics m = syncer.metrics();
    assertEquals(0, m.bifurcations());
    assertEquals(0, m.syncFailures());
    assertEquals(0, m.outdatedHead(), "an anchored syncer never asks the network for its head");
  }

  /**
   * A full node's catch-up: the header syncer and the data syncer run together; data is fetched in
   * parallel up to the header syncer's target (the anchor's horizon) and appended once its header
   * is stored, and the header syncer is held within 128 heights of the data ({@link
   * FollowerLimit}). Every header batch, when it becomes readable, finds the data at most 128
   * heights behind it.
   */
  @Test
  void headersAndDataCatchUpTogetherWithinTheFollowerLimit() throws Exception {
    String headerProtocol = ExchangeProtocol.protocolId("gm-headerSync");
    Host server = host();
    InMemoryStore<P2PSignedHeader> servedHeaders = headerStore(N);
    InMemoryStore<P2PData> servedData = new InMemoryStore<>();
    servedData.append(data).join();
    P2PServer<P2PSignedHeader> hs =
        new P2PServer<>(
            server, servedHeaders, headerProtocol, ServerOptions.defaults(), storeExecutor, CLOCK);
    P2PServer<P2PData> ds =
        new P2PServer<>(
            server, servedData, PROTOCOL, ServerOptions.defaults(), storeExecutor, CLOCK);
    hs.start();
    ds.start();
    closeables.add(hs);
    closeables.add(ds);
    Exchange<P2PData> dataEx = client(List.of(server), 16);
    Exchange<P2PSignedHeader> headerEx =
        Exchange.builder(clientHost, EvNodeTypes.P2P_SIGNED_HEADER, headerProtocol)
            .chainId("gm")
            .trustedPeers(List.of(server.peerId()))
            .gater(gater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(8))
            .build();
    headerEx.start();
    closeables.add(headerEx);
    assertEquals(List.of(server.peerId()), headerEx.trackedPeers());

    InMemoryStore<P2PSignedHeader> headerStore = headerStore(1);
    InMemoryStore<P2PData> store = dataStore();
    FollowerLimit limit = new FollowerLimit(128, Duration.ofSeconds(30));
    long[] maxLag = {0};
    Syncer<P2PSignedHeader> headerSyncer =
        Syncer.builder(headerStore, headerEx, EvNodeTypes.P2P_SIGNED_HEADER)
            .options(options())
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .followerLimit(limit)
            .listener(
                new SyncListener<>() {
                  @Override
                  public void batchAppended(long fromHeight, int count, Duration elapsed) {
                    synchronized (maxLag) {
                      maxLag[0] = Math.max(maxLag[0], fromHeight + count - 1 - store.height());
                    }
                  }
                })
            .build();
    closeables.add(() -> headerSyncer.stop().get(T, TimeUnit.SECONDS));
    Anchor<P2PData> anchor =
        Anchor.of(headerStore, EvNodeTypes.DATA_MATCHES_HEADER)
            .withHorizon(() -> headerSyncer.syncState().toHeight());
    Syncer<P2PData> dataSyncer =
        Syncer.builder(store, HeaderSource.of(dataEx), EvNodeTypes.P2P_DATA)
            .options(options())
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .anchor(anchor)
            .build();
    closeables.add(() -> dataSyncer.stop().get(T, TimeUnit.SECONDS));
    limit.attach(store);

    headerSyncer.start().get(T, TimeUnit.SECONDS);
    dataSyncer.start().get(T, TimeUnit.SECONDS);
    headerStore.awaitHeight(N).get(T, TimeUnit.SECONDS);
    store.awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertHonest(store, N);
    synchronized (maxLag) {
      assertTrue(maxLag[0] <= 128, "data trailed headers by " + maxLag[0]);
      assertTrue(maxLag[0] > 0, "the header syncer ran ahead at all");
    }
  }

  @Test
  void followsTheAnchorAsItGrows() throws Exception {
    Exchange<P2PData> ex = client(List.of(server(data)), 16);
    InMemoryStore<P2PSignedHeader> anchor = headerStore(1_000);
    InMemoryStore<P2PData> store = dataStore();
    Syncer<P2PData> syncer = syncer(store, HeaderSource.of(ex), anchor, options());
    syncer.start().get(T, TimeUnit.SECONDS);
    store.awaitHeight(1_000).get(T, TimeUnit.SECONDS);
    anchor.append(headers.subList(1_000, N)).join(); // the header syncer got further
    store.awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertHonest(store, N);
    assertEquals(0, syncer.metrics().bifurcations());
  }

  /**
   * The forger serves the honest data up to {@code N - 100}, then a tail that links in itself (and
   * to the honest data below it) but carries a transaction the headers did not commit to; the first
   * honest peer has only the data up to {@code N - 100}. Only the check against the headers can
   * catch the tail: the forger is blocked, nothing forged is stored, and a second honest peer
   * completes the sync.
   */
  @Test
  void aPeerServingDataThatDoesNotMatchItsHeaderIsBlockedAndNothingUnverifiedIsStored()
      throws Exception {
    int honestUpTo = N - 100;
    List<P2PData> forged = new ArrayList<>(data.subList(0, honestUpTo));
    forged.addAll(forgedTail(honestUpTo));
    assertEquals(
        data.get(honestUpTo - 1).hash(),
        forged.get(honestUpTo).data().lastHeaderHash(),
        "links to honest data");
    Host honest = server(data.subList(0, honestUpTo));
    Host forger = server(forged);
    Exchange<P2PData> ex = client(List.of(honest, forger), 2);
    InMemoryStore<P2PData> store = dataStore();
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    Syncer.Builder<P2PData> b =
        Syncer.builder(store, HeaderSource.of(ex), EvNodeTypes.P2P_DATA)
            .options(options())
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(worker)
            .anchor(Anchor.of(headerStore(N), EvNodeTypes.DATA_MATCHES_HEADER))
            .listener(
                new SyncListener<>() {
                  @Override
                  public void syncFailed(SyncState state, Throwable cause) {
                    failed.complete(cause);
                  }
                });
    Syncer<P2PData> syncer = b.build();
    closeables.add(() -> syncer.stop().get(T, TimeUnit.SECONDS));
    syncer.start().get(T, TimeUnit.SECONDS);
    Throwable cause = failed.get(T, TimeUnit.SECONDS);
    assertTrue(cause.getMessage().contains("was served by " + forger.peerId()), cause.getMessage());
    assertTrue(
        gater.blockedPeers().contains(forger.peerId()), "forger blocked: " + gater.blockedPeers());
    assertFalse(gater.blockedPeers().contains(honest.peerId()), "honest peer blocked");
    assertTrue(
        store.height() < honestUpTo + 1
            || data.get(honestUpTo).equals(store.getByHeight(honestUpTo + 1).get()));

    Identified.connect(clientHost, List.of(server(data)), T); // an honest peer with everything
    syncer.syncWait().get(T, TimeUnit.SECONDS);
    store.awaitHeight(N).get(T, TimeUnit.SECONDS);
    assertHonest(store, N);
  }

  /**
   * Data from {@code from} (0-based) on with one transaction more than the headers committed to,
   * linked.
   */
  private List<P2PData> forgedTail(int from) {
    List<P2PData> out = new ArrayList<>();
    Hash prev = data.get(from - 1).hash();
    for (int i = from; i < data.size(); i++) {
      out.add(forge(data.get(i), prev));
      prev = out.get(out.size() - 1).hash();
    }
    return out;
  }

  private static P2PData forge(P2PData honest, Hash lastDataHash) {
    Metadata m = honest.data().metadata().orElseThrow();
    List<byte[]> txs = new ArrayList<>(honest.data().txs());
    txs.add(("evil " + m.height()).getBytes(StandardCharsets.UTF_8));
    return Data.of(Metadata.of(m.chainId(), m.height(), m.timeNanos(), lastDataHash), txs).toP2P(0);
  }

  @Test
  void gossipIsCheckedAgainstItsHeaderAndWaitsForIt() throws Exception {
    Exchange<P2PData> ex = client(List.of(server(data.subList(0, 100))), 16);
    InMemoryStore<P2PSignedHeader> anchor = headerStore(100);
    InMemoryStore<P2PData> store = dataStore();
    Syncer<P2PData> syncer = syncer(store, HeaderSource.of(ex), anchor, options());
    syncer.start().get(T, TimeUnit.SECONDS);
    store.awaitHeight(100).get(T, TimeUnit.SECONDS);

    // Data before its header: waits, then is verified and appended once the header is stored.
    CompletableFuture<Void> early = syncer.incomingHead(data.get(100));
    assertFalse(early.isDone(), "data 101 waits for header 101");
    anchor.append(headers.subList(100, 101)).join();
    early.get(T, TimeUnit.SECONDS);
    store.awaitHeight(101).get(T, TimeUnit.SECONDS);
    assertEquals(data.get(100), store.getByHeight(101).orElseThrow());

    // Known data: soft (Ignore).
    VerifyException known = assertFails(VerifyException.class, syncer.incomingHead(data.get(50)));
    assertTrue(known.isSoft());

    // Data that does not match its header: hard (Reject), never stored.
    anchor.append(headers.subList(101, 102)).join();
    VerifyException bad =
        assertFails(
            VerifyException.class, syncer.incomingHead(forge(data.get(101), data.get(100).hash())));
    assertFalse(bad.isSoft(), bad.getMessage());
    assertTrue(bad.getMessage().contains("does not match header 102"), bad.getMessage());
    assertEquals(101, store.height());
    syncer.incomingHead(data.get(101)).get(T, TimeUnit.SECONDS);
    store.awaitHeight(102).get(T, TimeUnit.SECONDS);
    assertEquals(data.get(101), store.getByHeight(102).orElseThrow());
  }

  @Test
  void gossipWhoseHeaderNeverComesIsIgnoredAfterTheAnchorWait() throws Exception {
    Exchange<P2PData> ex = client(List.of(server(data.subList(0, 10))), 16);
    InMemoryStore<P2PData> store = dataStore();
    Syncer<P2PData> syncer =
        syncer(
            store,
            HeaderSource.of(ex),
            headerStore(10),
            options().toBuilder().anchorWait(Duration.ofMillis(50)).maxPendingAhead(100).build());
    syncer.start().get(T, TimeUnit.SECONDS);
    SyncException e = assertFails(SyncException.class, syncer.incomingHead(data.get(10)));
    assertTrue(e.getMessage().contains("no anchor header at height 11"), e.getMessage());
    SyncException far = assertFails(SyncException.class, syncer.incomingHead(data.get(N - 1)));
    assertTrue(far.getMessage().contains("above the anchor's head 10"), far.getMessage());
  }

  /**
   * Without an anchor, a type that cannot verify non-adjacent pairs never bifurcates: a gossiped
   * header far ahead is ignored (it cannot be verified from here) but its height is fetched up to
   * and verified adjacently.
   */
  @Test
  void unanchoredDataNeverBifurcatesButFetchesUpToAFarCandidate() throws Exception {
    Exchange<P2PData> ex = client(List.of(server(data.subList(0, 1_500))), 16);
    InMemoryStore<P2PData> store = dataStore();
    Syncer<P2PData> syncer = syncer(store, HeaderSource.of(ex), null, options());
    syncer.start().get(T, TimeUnit.SECONDS);
    VerifyException e = assertFails(VerifyException.class, syncer.incomingHead(data.get(1_499)));
    assertEquals(VerifyException.Reason.NON_ADJACENT_UNSUPPORTED, e.reason());
    assertTrue(e.isSoft());
    store.awaitHeight(1_500).get(T, TimeUnit.SECONDS);
    assertHonest(store, 1_500);
    assertEquals(0, syncer.metrics().bifurcations());
  }

  private static <E extends Throwable> E assertFails(Class<E> type, CompletableFuture<?> f)
      throws Exception {
    try {
      f.get(T, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return assertInstanceOf(type, Futures.unwrap(e));
    }
    throw new AssertionError("expected a " + type.getSimpleName());
  }
}
