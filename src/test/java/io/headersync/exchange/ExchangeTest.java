package io.headersync.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.VerifyException;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The exchange client against our server, over in-memory hosts running the real libp2p stack. */
class ExchangeTest {
  private static final long T = 30;
  private static final String PROTOCOL = ExchangeProtocol.protocolId("test");
  private static final Instant GENESIS = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(GENESIS.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final List<DummyHeader> chain = new DummyChain(GENESIS).next(10_000);
  private int seed = 1;

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    scheduler.shutdownNow();
    storeExecutor.shutdownNow();
  }

  private Host host(ConnectionGater gater) throws Exception {
    Host h = MemoryHosts.start(network, seed++, gater, T);
    closeables.add(h);
    return h;
  }

  /** A host serving {@code headers} (heights from the first one's) with the given options. */
  private Host server(List<DummyHeader> headers, ServerOptions options) throws Exception {
    return server(headers, options, CLOCK);
  }

  private Host server(List<DummyHeader> headers, ServerOptions options, Clock clock)
      throws Exception {
    Host h = host(new ConnectionGater());
    InMemoryStore<DummyHeader> store = new InMemoryStore<>();
    if (!headers.isEmpty()) {
      store.append(headers).join();
    }
    P2PServer<DummyHeader> server =
        new P2PServer<>(h, store, PROTOCOL, options, storeExecutor, clock);
    server.start();
    closeables.add(server);
    return h;
  }

  private Host server(List<DummyHeader> headers) throws Exception {
    return server(headers, ServerOptions.defaults());
  }

  private final ConnectionGater clientGater = new ConnectionGater();

  /**
   * A client host with an exchange trusting {@code servers}, connected to them and tracking them.
   */
  private Exchange<DummyHeader> client(List<Host> servers) throws Exception {
    return client(servers, b -> {});
  }

  private Exchange<DummyHeader> client(
      List<Host> servers, java.util.function.Consumer<Exchange.Builder<DummyHeader>> configure)
      throws Exception {
    Host h = host(clientGater);
    List<PeerId> trusted = servers.stream().map(Host::peerId).toList();
    Exchange.Builder<DummyHeader> b =
        Exchange.builder(h, DummyHeader.TYPE, PROTOCOL)
            .chainId("TEST")
            .trustedPeers(trusted)
            .gater(clientGater)
            .scheduler(scheduler)
            .clock(CLOCK)
            .random(new Random(7));
    configure.accept(b);
    Exchange<DummyHeader> ex = b.build();
    ex.start();
    closeables.add(ex);
    Identified.connect(h, servers, T);
    return ex;
  }

  private static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(T, TimeUnit.SECONDS)).getCause();
  }

  /**
   * The slot-holding attack (D2): nine peer ids open 32 streams each to the header-ex server and
   * send one byte, more than every serving slot; honest requests are still answered, because a
   * request takes a serving slot only once it was read (and the reading streams expire with the
   * read deadline).
   */
  @Test
  void streamsThatSendNothingDoNotHoldTheSlotsHonestRequestsAreServedFrom() throws Exception {
    Host server = server(chain.subList(0, 100));
    List<Stream> held = new ArrayList<>();
    for (int attacker = 0; attacker < 9; attacker++) {
      Host h = host(new ConnectionGater());
      h.connect(server.listenAddresses().get(0)).get(T, TimeUnit.SECONDS);
      for (int i = 0; i < 32; i++) {
        Stream st = h.newStream(server.peerId(), PROTOCOL).get(T, TimeUnit.SECONDS);
        st.write(new byte[] {0x10}).get(T, TimeUnit.SECONDS); // the start of a varint, then nothing
        held.add(st);
      }
    }
    assertEquals(9 * 32, held.size());
    Exchange<DummyHeader> ex = client(List.of(server));
    for (int i = 1; i <= 15; i++) {
      assertEquals(
          chain.get(i - 1), ex.getByHeight(i).get(T, TimeUnit.SECONDS), "honest request " + i);
    }
  }

  /**
   * A trusted peer whose identify does not list header-ex (a js-libp2p seed, a DHT-only node) is
   * not asked.
   */
  @Test
  void doesNotAskATrustedPeerThatDoesNotServeTheProtocol() throws Exception {
    Host other = host(new ConnectionGater());
    other.setStreamHandler("/something/else/1.0.0", Stream::reset);
    Exchange<DummyHeader> ex = client(List.of(other));
    Throwable t = failure(ex.getByHeight(1));
    assertInstanceOf(ExchangeException.class, t);
    assertTrue(t.getMessage().startsWith("no peers to ask"), t.getMessage());
  }

  @Test
  void getsTheHeadByHeightAndByHash() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain.subList(0, 500))));
    assertEquals(chain.get(499), get(ex.head()));
    assertEquals(chain.get(41), get(ex.getByHeight(42)));
    assertEquals(chain.get(99), get(ex.get(chain.get(99).hash())));
  }

  @Test
  void missingHeadersAreNotFound() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain.subList(0, 500))));
    PeerRequestException e =
        assertInstanceOf(PeerRequestException.class, failure(ex.getByHeight(501)));
    assertEquals(PeerFailure.NOT_FOUND, e.failure());
    e = assertInstanceOf(PeerRequestException.class, failure(ex.get(chain.get(700).hash())));
    assertEquals(PeerFailure.NOT_FOUND, e.failure());
    assertTrue(clientGater.blockedPeers().isEmpty(), "NOT_FOUND never blocks");
  }

  @Test
  void fetchesTenThousandHeadersFromTwoServers() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain), server(chain)));
    List<DummyHeader> got = get(ex.getRange(chain.get(0), 10_001));
    assertEquals(9_999, got.size());
    assertEquals(chain.subList(1, 10_000), got);
  }

  @Test
  void completesARangeFromAPeerThatHasMoreWhenAnotherServesPartially() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain.subList(0, 3000)), server(chain)));
    List<DummyHeader> got = get(ex.getRange(chain.get(0), 6001));
    assertEquals(chain.subList(1, 6000), got);
  }

  @Test
  void blocksAServerThatServesAForkedChain() throws Exception {
    List<DummyHeader> fork = new ArrayList<>(chain.subList(0, 1));
    DummyHeader h = DummyHeader.genesis("test", 2, chain.get(1).time());
    while (fork.size() < 2000) {
      fork.add(h);
      h = h.next();
    }
    Host liar = server(fork);
    Host honest = server(chain);
    Exchange<DummyHeader> ex = client(List.of(liar, honest));
    List<DummyHeader> got = get(ex.getRange(chain.get(0), 1501));
    assertEquals(chain.subList(1, 1500), got);
    assertEquals(java.util.Set.of(liar.peerId()), clientGater.blockedPeers());
  }

  @Test
  void rejectsHeadersOfAnotherChain() throws Exception {
    List<DummyHeader> other = new ArrayList<>();
    for (DummyHeader d : chain.subList(0, 10)) {
      other.add(d.withChainId("other"));
    }
    Host wrong = server(other);
    Exchange<DummyHeader> ex = client(List.of(wrong));
    Throwable e = failure(ex.getByHeight(3));
    assertTrue(e.getMessage().contains("chain id 'other', expected 'TEST'"), e.getMessage());
    assertEquals(java.util.Set.of(wrong.peerId()), clientGater.blockedPeers());
  }

  @Test
  void headQuorumIgnoresAPeerThatIsBehind() throws Exception {
    Exchange<DummyHeader> ex =
        client(
            List.of(
                server(chain.subList(0, 900)),
                server(chain.subList(0, 1000)),
                server(chain.subList(0, 1000))));
    assertEquals(chain.get(999), get(ex.head()));
  }

  @Test
  void aHeadFailingTheHeadCheckDoesNotCountAndBlocksItsPeer() throws Exception {
    // The liar's head is higher, so without the check it would win a quorum of two that disagree.
    List<DummyHeader> fork = new ArrayList<>(chain.subList(0, 999));
    fork.add(DummyHeader.genesis("test", 1000, chain.get(999).time()));
    fork.add(fork.get(999).next());
    Host liar = server(fork);
    Host honest = server(chain.subList(0, 1000));
    java.util.function.Consumer<DummyHeader> knownChain =
        h -> {
          if (!h.equals(chain.get((int) h.height() - 1))) {
            throw new VerifyException(
                VerifyException.Reason.TYPE_CHECK, "header " + h.height() + " is not ours", false);
          }
        };
    assertEquals(
        fork.get(1000),
        get(client(List.of(liar, honest)).head()),
        "no check: the higher head wins");
    assertTrue(clientGater.blockedPeers().isEmpty());

    Exchange<DummyHeader> checked = client(List.of(liar, honest), b -> b.headCheck(knownChain));
    assertEquals(chain.get(999), get(checked.head()));
    assertEquals(java.util.Set.of(liar.peerId()), clientGater.blockedPeers());
  }

  @Test
  void aHeadCheckThatBreaksBlamesNoPeer() throws Exception {
    Host server = server(chain.subList(0, 1000));
    Exchange<DummyHeader> ex =
        client(
            List.of(server),
            b ->
                b.headCheck(
                    h -> {
                      throw new IllegalStateException("check unavailable");
                    }));
    assertEquals(chain.get(999), get(ex.head()));
    assertTrue(clientGater.blockedPeers().isEmpty());
  }

  @Test
  void headAgainstATrustedHeadReturnsAVerifiedHeader() throws Exception {
    Exchange<DummyHeader> ex = client(List.of(server(chain.subList(0, 1000))));
    HeadResult<DummyHeader> r = get(ex.head(chain.get(10)));
    assertEquals(chain.get(999), r.header());
    assertTrue(r.softFailure().isEmpty());
  }

  @Test
  void serverResetsARequestForSixtyFiveHeaders() throws Exception {
    Host srv = server(chain.subList(0, 500));
    Host c = host(new ConnectionGater());
    c.connect(srv.listenAddresses().get(0)).get(T, TimeUnit.SECONDS);
    Stream s = get(c.newStream(srv.peerId(), PROTOCOL));
    get(s.write(ExchangeWire.rangeRequestFrame(1, 65)));
    s.closeWrite(); // may fail: the server resets as soon as it has read the request
    StreamException e = assertInstanceOf(StreamException.class, failure(s.readMessage(1 << 20)));
    assertEquals(StreamException.Reason.RESET, e.reason());
  }

  @Test
  void serverAnswersAboveTheHeadWithOneNotFoundFrame() throws Exception {
    Host srv = server(chain.subList(0, 500));
    Host c = host(new ConnectionGater());
    c.connect(srv.listenAddresses().get(0)).get(T, TimeUnit.SECONDS);
    Stream s = get(c.newStream(srv.peerId(), PROTOCOL));
    get(s.write(ExchangeWire.rangeRequestFrame(600, 10)));
    get(s.closeWrite());
    assertEquals(
        "1002", java.util.HexFormat.of().formatHex(get(s.readMessage(1 << 20)).orElseThrow()));
    assertTrue(get(s.readMessage(1 << 20)).isEmpty(), "then the server closes");
  }

  @Test
  void rangeSurvivesARateLimitingServer() throws Exception {
    // The bucket refills with real time here; the limit resets some requests and the client retries
    // them.
    Host srv =
        server(chain, ServerOptions.builder().ratePerPeer(100, 10).build(), Clock.systemUTC());
    Exchange<DummyHeader> ex = client(List.of(srv));
    List<DummyHeader> got = get(ex.getRange(chain.get(0), 10_001));
    assertEquals(chain.subList(1, 10_000), got);
  }

  @Test
  void serverRateLimitsAPeer() throws Exception {
    Host srv = server(chain.subList(0, 100), ServerOptions.builder().ratePerPeer(0.001, 2).build());
    Exchange<DummyHeader> ex = client(List.of(srv));
    assertEquals(chain.get(0), get(ex.getByHeight(1)));
    assertEquals(chain.get(1), get(ex.getByHeight(2)));
    ExchangeException e = assertInstanceOf(ExchangeException.class, failure(ex.getByHeight(3)));
    assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("reset"), e.getMessage());
  }

  /**
   * One timer per request (the session's for a range, the exchange's for a single request; no
   * stream deadline besides), and a request that timed out resets its stream.
   */
  @Test
  void aTimedOutRequestHasOneTimerAndResetsItsStream() throws Exception {
    Host srv = host(new ConnectionGater());
    java.util.concurrent.LinkedBlockingQueue<Stream> requests =
        new java.util.concurrent.LinkedBlockingQueue<>();
    srv.setStreamHandler(
        PROTOCOL, s -> s.readMessage(1024).thenRun(() -> requests.add(s))); // never answers
    io.headersync.testkit.ManualScheduler manual =
        new io.headersync.testkit.ManualScheduler(new io.headersync.testkit.MutableClock(GENESIS));
    Host h = host(clientGater);
    Exchange<DummyHeader> ex =
        Exchange.builder(h, DummyHeader.TYPE, PROTOCOL)
            .chainId("TEST")
            .trustedPeers(List.of(srv.peerId()))
            .gater(clientGater)
            .scheduler(manual)
            .clock(CLOCK)
            .options(ExchangeOptions.builder().maxAttemptsPerChunk(1).build())
            .build();
    ex.start();
    closeables.add(ex);
    Identified.connect(h, List.of(srv), T);

    CompletableFuture<DummyHeader> one = ex.getByHeight(5);
    Stream first = requests.poll(T, TimeUnit.SECONDS);
    assertEquals(1, manual.queued(), "timers for one request");
    manual.advance(ExchangeOptions.builder().build().requestTimeout());
    assertInstanceOf(ExchangeException.class, failure(one));
    assertReset(first);

    CompletableFuture<List<DummyHeader>> range = ex.getRange(chain.get(0), 11);
    Stream second = requests.poll(T, TimeUnit.SECONDS);
    assertEquals(1, manual.queued(), "timers for one range request");
    manual.advance(ExchangeOptions.builder().build().requestTimeout());
    assertInstanceOf(ExchangeException.class, failure(range));
    assertReset(second);
  }

  /** Writes on the server side of a stream until the client's reset makes a write fail. */
  private static void assertReset(Stream serverSide) throws Exception {
    for (int i = 0; ; i++) {
      try {
        serverSide.write(new byte[] {0}).get(T, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        StreamException se = assertInstanceOf(StreamException.class, e.getCause());
        assertEquals(StreamException.Reason.RESET, se.reason(), se.getMessage());
        return;
      }
      assertTrue(i < 100_000, "the client never reset the stream");
    }
  }
}
