package io.headersync.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.ConnectionListener;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.PeerId;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.Identified;
import io.headersync.testing.MemoryHosts;
import io.headersync.testkit.DummyChain;
import io.headersync.testkit.DummyHeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Below the tail over the real exchange: a node holding {@code [1001, 2000]} trusts two servers,
 * one honest and one serving a fork below 1,001 (valid headers of its own chain, which do not link
 * to the node's tail). Reading a height below the tail and back-filling both end with the honest
 * headers, and the liar blocked through the gater (its connection closed), because the hash-link
 * check runs on each peer's answer inside the exchange request. Waits on the liar's disconnection,
 * never on time.
 */
class BelowTailLiarTest {
  private static final long T = 30;
  private static final String PROTOCOL = ExchangeProtocol.protocolId("test");
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * One second after the chain: with an hour's block time its head is recent, so no head request.
   */
  private static final Clock CLOCK = Clock.fixed(GENESIS.plusSeconds(1), ZoneOffset.UTC);

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final List<DummyHeader> chain = new DummyChain(GENESIS).next(2_000);
  private final ConnectionGater clientGater = new ConnectionGater();
  private final InMemoryStore<DummyHeader> store = new InMemoryStore<>();
  private Host liar;
  private Host honest;
  private Exchange<DummyHeader> exchange;

  /**
   * Completes when the liar's host sees the node hang up on it (the gater closes a blocked peer's
   * connections).
   */
  private final CompletableFuture<Void> liarDropped = new CompletableFuture<>();

  @BeforeEach
  void setUp() throws Exception {
    // The fork shares the genesis only: from height 2 on another chain, 1 ns apart as well.
    List<DummyHeader> fork = new ArrayList<>(chain.subList(0, 1));
    DummyHeader f = DummyHeader.genesis("test", 2, chain.get(1).time().plusNanos(7));
    while (fork.size() < 1_000) {
      fork.add(f);
      f = f.next();
    }
    liar = server(fork, 1);
    honest = server(chain, 2);
    Host client = MemoryHosts.start(network, 3, clientGater, T);
    closeables.add(client);
    PeerId clientId = client.peerId();
    liar.addConnectionListener(
        new ConnectionListener() {
          @Override
          public void disconnected(PeerId peer) {
            if (peer.equals(clientId)) {
              liarDropped.complete(null);
            }
          }
        });
    exchange =
        Exchange.builder(client, DummyHeader.TYPE, PROTOCOL)
            .chainId("test")
            .trustedPeers(List.of(liar.peerId(), honest.peerId()))
            .gater(clientGater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(7))
            .build();
    exchange.start();
    closeables.add(exchange);
    Identified.connect(client, List.of(liar, honest), T);
    store.append(chain.subList(1_000, 2_000)).get(T, TimeUnit.SECONDS); // tail 1,001, head 2,000
  }

  private Host server(List<DummyHeader> headers, int seed) throws Exception {
    Host h = MemoryHosts.start(network, seed, new ConnectionGater(), T);
    closeables.add(h);
    InMemoryStore<DummyHeader> s = new InMemoryStore<>();
    s.append(headers).get(T, TimeUnit.SECONDS);
    P2PServer<DummyHeader> server =
        new P2PServer<>(h, s, PROTOCOL, ServerOptions.defaults(), executor, CLOCK);
    server.start();
    closeables.add(server);
    return h;
  }

  private Syncer<DummyHeader> syncer(SyncerOptions options) {
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, exchange, DummyHeader.TYPE)
            .options(options)
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(executor)
            .build();
    closeables.add(() -> syncer.stop().get(T, TimeUnit.SECONDS));
    return syncer;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    scheduler.shutdownNow();
    executor.shutdownNow();
  }

  @Test
  void aReadBelowTheTailBlocksThePeerWhoseHeadersDoNotLinkAndUsesTheHonestOne() throws Exception {
    Syncer<DummyHeader> syncer = syncer(SyncerOptions.builder(Duration.ofHours(1)).build());
    // 1,001 − 900 = 101 heights: two requests (64 + 37), each to both peers.
    assertEquals(chain.get(899), syncer.fetchBelowTail(900).get(T, TimeUnit.SECONDS));
    liarDropped.get(T, TimeUnit.SECONDS);
    assertEquals(Set.of(liar.peerId()), clientGater.blockedPeers());
    assertEquals(1_001, store.tail().orElseThrow().height(), "nothing stored");
    // The liar is gone: later reads come from the honest peer alone.
    assertEquals(chain.get(949), syncer.fetchBelowTail(950).get(T, TimeUnit.SECONDS));
  }

  @Test
  void aBackfillBlocksThePeerWhoseHeadersDoNotLinkAndFinishesFromTheHonestOne() throws Exception {
    CompletableFuture<Void> reached = new CompletableFuture<>();
    Syncer<DummyHeader> syncer =
        Syncer.builder(store, exchange, DummyHeader.TYPE)
            .options(SyncerOptions.builder(Duration.ofHours(1)).syncFromHeight(800).build())
            .clock(CLOCK)
            .scheduler(scheduler)
            .workerExecutor(executor)
            .listener(
                new SyncListener<>() {
                  @Override
                  public void tailMoved(DummyHeader tail) {
                    if (tail.height() == 800) {
                      reached.complete(null);
                    }
                  }
                })
            .build();
    closeables.add(() -> syncer.stop().get(T, TimeUnit.SECONDS));
    syncer.start().get(T, TimeUnit.SECONDS);
    reached.get(T, TimeUnit.SECONDS);
    liarDropped.get(T, TimeUnit.SECONDS);
    assertEquals(Set.of(liar.peerId()), clientGater.blockedPeers());
    for (long h = 800; h <= 2_000; h++) {
      assertEquals(chain.get((int) h - 1), store.getByHeight(h).orElseThrow(), "height " + h);
    }
    assertEquals(201, syncer.metrics().headersBackfilled());
    assertTrue(syncer.metrics().tailHeight() == 800, syncer.metrics().toString());
  }
}
