package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.store.InMemoryStore;
import io.headersync.sync.SyncState;
import io.headersync.sync.Syncer;
import io.headersync.sync.SyncerOptions;
import io.headersync.testing.Identified;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Our {@link Syncer} against go-header v0.8.6's ({@code interop/peer}, {@code sync.go}) over
 * ev-node v1.2.2 {@code P2PSignedHeader}s, in both directions, with ev-node's naming (network
 * {@code gm-headerSync}, chain id {@code gm}).
 */
@Tag("interop")
class SyncGoInteropTest {
  private static final long T = 180;
  private static final String NETWORK = "gm-headerSync";
  private static final String PROTOCOL = ExchangeProtocol.protocolId(NETWORK);
  private static final int N = 10_000;

  /** Test chains start on 2026-01-01: a long trusting period keeps them from expiring. */
  private static final Duration TRUSTING = Duration.ofDays(365 * 100);

  private GoPeer go;
  private Host host;
  private final ConnectionGater gater = new ConnectionGater();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final ExecutorService worker = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() throws Exception {
    go = new GoPeer(13, "-network", NETWORK, "-chain-id", "gm");
    host =
        Host.builder(PrivateKey.ed25519FromSeed(new byte[32]))
            .listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .gater(gater)
            .build();
    host.start().get(T, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    go.close();
    scheduler.shutdownNow();
    storeExecutor.shutdownNow();
    worker.shutdownNow();
  }

  private static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  private byte[] goHeaderBytes(long height, String from) throws Exception {
    String answer =
        go.ok("\"cmd\":\"sync-header\",\"height\":" + height + ",\"from\":\"" + from + "\"", T);
    return HexFormat.of().parseHex(GoPeer.string(answer, "bytes"));
  }

  @Test
  void ourSyncerCatchesUpFromGoHeadersServer() throws Exception {
    go.ok("\"cmd\":\"gen\",\"count\":" + N + ",\"seed\":5", T);
    PeerId goPeer = PeerId.parse(go.peerId());
    CompletableFuture<Void> identified = Identified.by(host, goPeer, PROTOCOL);
    Exchange<P2PSignedHeader> ex =
        Exchange.builder(host, EvNodeTypes.P2P_SIGNED_HEADER, PROTOCOL)
            .chainId("gm")
            .trustedPeers(List.of(goPeer))
            .gater(gater)
            .scheduler(scheduler)
            .build();
    ex.start();
    get(host.connect(Multiaddr.parse(go.tcpAddress())));
    get(identified);

    // The store starts from the Go peer's genesis header, as the service initialises it.
    InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
    store.append(List.of(get(ex.getByHeight(1)))).join();
    Syncer<P2PSignedHeader> syncer =
        Syncer.builder(store, ex, EvNodeTypes.P2P_SIGNED_HEADER)
            .options(SyncerOptions.builder(Duration.ofSeconds(1)).trustingPeriod(TRUSTING).build())
            .clock(Clock.systemUTC())
            .scheduler(scheduler)
            .workerExecutor(worker)
            .extraCheck(P2PSignedHeader::verifySignature)
            .build();
    try {
      get(syncer.start());
      get(syncer.syncWait());
      assertEquals(N, store.height());
      SyncState state = syncer.syncState();
      assertTrue(state.finished(), state.toString());
      assertEquals(N, state.toHeight());
      for (long height : new long[] {1, 2, 64, 65, 5_000, N - 1, N}) {
        assertArrayEquals(
            goHeaderBytes(height, "store"),
            store.getByHeight(height).orElseThrow().encode(),
            "header " + height);
      }
      assertTrue(gater.blockedPeers().isEmpty());
    } finally {
      get(syncer.stop());
      ex.close();
    }
  }

  @Test
  void goHeadersSyncerCatchesUpFromOurServer() throws Exception {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(new byte[32]))
            .chainId("gm")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
    List<P2PSignedHeader> chain = signer.chain(N).stream().map(Block::p2pHeader).toList();
    store.append(chain).join();
    P2PServer<P2PSignedHeader> server =
        new P2PServer<>(
            host, store, PROTOCOL, ServerOptions.defaults(), storeExecutor, Clock.systemUTC());
    server.start();
    try {
      go.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
      // Its trusted peer is us; its tail (initial header) is our genesis, fetched from us.
      go.ok(
          "\"cmd\":\"sync-start\",\"peer\":\""
              + host.peerId()
              + "\",\"height\":1,\"blockTimeMillis\":1000",
          T);
      String waited =
          go.ok("\"cmd\":\"sync-wait\",\"height\":" + N + ",\"millis\":" + T * 1000, T + 10);
      assertEquals(chain.get(N - 1).hash().toString(), GoPeer.string(waited, "hash"));
      String state = go.ok("\"cmd\":\"sync-state\"", T);
      assertTrue(state.contains("\"storeHead\":" + N) && state.contains("\"storeTail\":1"), state);
      for (long height : new long[] {1, 2, 64, 65, 5_000, N - 1, N}) {
        assertArrayEquals(
            chain.get((int) height - 1).encode(),
            goHeaderBytes(height, "sync"),
            "header " + height);
      }
      assertEquals(
          List.of(),
          GoPeer.strings(go.ok("\"cmd\":\"blocked\"", T), "peers"),
          "Go did not block us");
      go.ok("\"cmd\":\"sync-stop\"", T);

      // Again from a trusted hash (WithSyncFromHash): the tail is our header 5,000, fetched by
      // hash.
      go.ok(
          "\"cmd\":\"sync-start\",\"peer\":\""
              + host.peerId()
              + "\",\"hash\":\""
              + chain.get(4_999).hash()
              + "\",\"blockTimeMillis\":1000",
          T);
      go.ok("\"cmd\":\"sync-wait\",\"height\":" + N + ",\"millis\":" + T * 1000, T + 10);
      String fromHash = go.ok("\"cmd\":\"sync-state\"", T);
      assertTrue(
          fromHash.contains("\"storeHead\":" + N) && fromHash.contains("\"storeTail\":5000"),
          fromHash);
      assertArrayEquals(chain.get(7_499).encode(), goHeaderBytes(7_500, "sync"));
      go.ok("\"cmd\":\"sync-stop\"", T);
    } finally {
      server.close();
    }
  }

  /**
   * Issue 17: go-header's syncer with a pruning window and {@code SyncFromHeight} against our
   * server, whose own store was pruned below that height: tail 2,000, head N. A go-header syncer
   * asking for a tail below our tail gets NOT_FOUND (its start fails; it does not block us).
   */
  @Test
  void goHeadersSyncerWithAPruningWindowAndSyncFromHeightSyncsFromOurPrunedServer()
      throws Exception {
    HeaderSigner signer =
        HeaderSigner.builder()
            .key(SignerKey.fromSeed(new byte[32]))
            .chainId("gm")
            .startTime(Instant.parse("2026-01-01T00:00:00Z"))
            .blockTime(Duration.ofSeconds(1))
            .build();
    InMemoryStore<P2PSignedHeader> served = new InMemoryStore<>();
    List<P2PSignedHeader> chain = signer.chain(N).stream().map(Block::p2pHeader).toList();
    served.append(chain).join();
    served.deleteTo(1_000).join(); // our server keeps [1000, N]
    P2PServer<P2PSignedHeader> server =
        new P2PServer<>(
            host, served, PROTOCOL, ServerOptions.defaults(), storeExecutor, Clock.systemUTC());
    server.start();
    long window = Duration.ofHours(2).toMillis();
    try {
      go.ok("\"cmd\":\"connect\",\"addr\":\"" + host.listenAddresses().get(0) + "\"", T);
      go.ok(
          "\"cmd\":\"sync-start\",\"peer\":\""
              + host.peerId()
              + "\",\"height\":2000,\"pruningWindowMillis\":"
              + window
              + ",\"blockTimeMillis\":1000",
          T);
      go.ok("\"cmd\":\"sync-wait\",\"height\":" + N + ",\"millis\":" + T * 1000, T + 10);
      String goState = go.ok("\"cmd\":\"sync-state\"", T);
      assertTrue(
          goState.contains("\"storeHead\":" + N) && goState.contains("\"storeTail\":2000"),
          goState);
      assertArrayEquals(chain.get(1_999).encode(), goHeaderBytes(2_000, "sync"));
      go.ok("\"cmd\":\"sync-stop\"", T);
      String below =
          go.command(
              "\"cmd\":\"sync-start\",\"peer\":\""
                  + host.peerId()
                  + "\",\"height\":500,\"blockTimeMillis\":1000",
              T);
      assertTrue(
          below.contains("\"ok\":false") && below.contains("500"),
          "a tail below our tail cannot be fetched: " + below);
      assertEquals(
          List.of(),
          GoPeer.strings(go.ok("\"cmd\":\"blocked\"", T), "peers"),
          "Go did not block us");
    } finally {
      server.close();
    }
  }

  /**
   * Ours with the same settings against a Go server holding the whole chain: the same tail and
   * head.
   */
  @Test
  void ourTailFromSyncFromHeightWithAPruningWindowMatchesGoHeaders() throws Exception {
    long window = Duration.ofHours(2).toMillis();
    go.ok("\"cmd\":\"gen\",\"count\":" + N + ",\"seed\":5", T);
    PeerId goPeer = PeerId.parse(go.peerId());
    CompletableFuture<Void> identified = Identified.by(host, goPeer, PROTOCOL);
    Exchange<P2PSignedHeader> ex =
        Exchange.builder(host, EvNodeTypes.P2P_SIGNED_HEADER, PROTOCOL)
            .chainId("gm")
            .trustedPeers(List.of(goPeer))
            .gater(gater)
            .scheduler(scheduler)
            .build();
    ex.start();
    get(host.connect(Multiaddr.parse(go.tcpAddress())));
    get(identified);
    InMemoryStore<P2PSignedHeader> store = new InMemoryStore<>();
    Syncer<P2PSignedHeader> syncer =
        Syncer.builder(store, ex, EvNodeTypes.P2P_SIGNED_HEADER)
            .options(
                SyncerOptions.builder(Duration.ofSeconds(1))
                    .trustingPeriod(TRUSTING)
                    .pruningWindow(Duration.ofMillis(window))
                    .syncFromHeight(2_000)
                    .build())
            .clock(Clock.systemUTC())
            .scheduler(scheduler)
            .workerExecutor(worker)
            .extraCheck(P2PSignedHeader::verifySignature)
            .build();
    try {
      store.append(List.of(get(syncer.initialTail(1)))).join();
      get(syncer.start());
      get(syncer.syncWait());
      get(syncer.tailIdle());
      assertEquals(N, store.height());
      assertEquals(2_000, store.tail().orElseThrow().height());
      assertArrayEquals(goHeaderBytes(2_000, "store"), store.tail().orElseThrow().encode());
      assertTrue(gater.blockedPeers().isEmpty());
    } finally {
      get(syncer.stop());
      ex.close();
    }
  }
}
