package io.headersync.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.ProposerCheck;
import io.headersync.evnode.SignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.ServerOptions;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.exchange.internal.HeaderRequest;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.InMemoryNetwork;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.Stream;
import io.headersync.service.HeaderSyncService;
import io.headersync.service.P2PConfig;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.MemoryHosts;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The byzantine suite of the header exchange: a node ({@link HeaderSyncService}, ev-node headers,
 * proposer signatures checked) syncs 2,000 headers from two trusted peers, an honest one and one
 * that misbehaves as each {@link Misbehaviour} says. For every case the honest sync completes, the
 * store holds the honest chain header for header (signatures included), and the offender is
 * handled: blocked through the connection gater when what it sent is provably wrong, asked less
 * when it only fails to answer. The table in {@code docs/reliability.md} is this test's output.
 */
class ByzantinePeerTest {
  private static final long T = 60;
  private static final int N = 2_000;
  private static final String CHAIN_ID = "gm";
  private static final Instant NOW =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  /**
   * What the offender does with a request; most answer head requests honestly, to be asked for
   * ranges.
   */
  enum Misbehaviour {
    FORGED_SIGNATURES(true),
    IMPOSTOR_FORK(true),
    OTHER_CHAIN_SAME_KEY(true),
    WRONG_HEIGHTS(true),
    OVERSIZE_FRAME(true),
    GARBAGE_AFTER_HANDSHAKE(true),
    LYING_NOT_FOUND(false),
    STALL_AFTER_REQUEST(false),
    RESET_MID_RANGE(false),
    EQUIVOCATING_HEAD(false),
    HEAD_FROM_THE_FUTURE(true);

    /** Whether what it sends is provably wrong, so the peer must end up blocked. */
    final boolean provablyWrong;

    Misbehaviour(boolean provablyWrong) {
      this.provablyWrong = provablyWrong;
    }
  }

  private final InMemoryNetwork network = new InMemoryNetwork();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);
  private final SignerKey sequencerKey = SignerKey.generate(new Random(1));
  private final HeaderSigner sequencer =
      HeaderSigner.builder()
          .key(sequencerKey)
          .chainId(CHAIN_ID)
          .startTime(NOW.minusSeconds(N))
          .blockTime(Duration.ofSeconds(1))
          .build();

  /** N blocks, and one more that the honest peer gets later in the equivocation case. */
  private final List<Block> blocks = sequencer.chain(N + 1);

  private final List<P2PSignedHeader> honestChain = blocks.stream().map(Block::p2pHeader).toList();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    network.close();
    storeExecutor.shutdownNow();
  }

  @ParameterizedTest
  @EnumSource(Misbehaviour.class)
  void theHonestSyncCompletesTheStoreIsIntactAndTheOffenderIsHandled(Misbehaviour m)
      throws Exception {
    Host honest = MemoryHosts.start(network, 1, new ConnectionGater(), T);
    closeables.add(honest);
    InMemoryStore<P2PSignedHeader> honestStore = new InMemoryStore<>();
    honestStore.append(honestChain.subList(0, N)).get(T, TimeUnit.SECONDS);
    P2PServer<P2PSignedHeader> server =
        new P2PServer<>(
            honest,
            honestStore,
            protocol(),
            ServerOptions.defaults(),
            storeExecutor,
            Clock.systemUTC());
    server.start();
    closeables.add(server);

    Host offender = MemoryHosts.start(network, 2, new ConnectionGater(), T);
    closeables.add(offender);
    AtomicInteger rangeRequests = new AtomicInteger();
    AtomicInteger headRequests = new AtomicInteger();
    CompletableFuture<Void> askedThriceForTheHead = new CompletableFuture<>();
    offender.setStreamHandler(
        protocol(),
        stream ->
            stream
                .readMessage(1024)
                .thenAccept(
                    msg -> {
                      HeaderRequest r = ExchangeWire.parseRequest(msg.orElseThrow());
                      if (r.kind() == HeaderRequest.Kind.ORIGIN && r.origin() == 0) {
                        if (headRequests.incrementAndGet() == 3) {
                          askedThriceForTheHead.complete(null);
                        }
                      } else {
                        rangeRequests.incrementAndGet();
                      }
                      misbehave(m, r, stream, headRequests.get());
                    })
                .exceptionally(
                    e -> {
                      stream.reset();
                      return null;
                    }));

    long started = System.nanoTime();
    HeaderSyncService<P2PSignedHeader> node =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, CHAIN_ID)
            .blockTime(Duration.ofSeconds(1))
            .p2p(
                P2PConfig.builder()
                    .identity(PrivateKey.ed25519FromSeed(new byte[32]))
                    .inMemory(network)
                    // The offender first: it is asked first for the initial header and the head.
                    .seed(offender.listenAddresses().get(0))
                    .seed(honest.listenAddresses().get(0))
                    .build())
            .extraCheck(ProposerCheck.of(sequencerKey.signer())::check)
            .build();
    closeables.add(node);
    node.start().get(T, TimeUnit.SECONDS);
    long height = N;
    if (m == Misbehaviour.EQUIVOCATING_HEAD) {
      // From the offender's second head answer on, two valid heads at N: such a round syncs to
      // neither
      // (warned once). The third head request means the second round is over; then the sequencer's
      // next
      // block, linked to the honest N, settles it. The equivocating header is never stored (checked
      // below, header for header).
      askedThriceForTheHead.get(T, TimeUnit.SECONDS);
      honestStore.append(honestChain.subList(N, N + 1)).get(T, TimeUnit.SECONDS);
      height = N + 1;
    }
    node.store().awaitHeight(height).get(T, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - started) / 1e9;
    // One more head round now that both peers are surely connected and identified (the first may
    // have run before the offender was): the honest head must win it.
    long headAfterSync = node.exchange().head().get(T, TimeUnit.SECONDS).height();
    assertEquals(height, headAfterSync, m + ": the head round after the sync");

    assertEquals(HeaderSyncService.State.RUNNING, node.state(), m + ": " + node.failure());
    for (long h = 1; h <= height; h++) {
      P2PSignedHeader stored = node.store().getByHeight(h).orElseThrow();
      P2PSignedHeader expected = honestChain.get((int) h - 1);
      assertEquals(expected.hash(), stored.hash(), m + ": header " + h);
      assertArrayEquals(
          expected.signedHeader().signature(),
          stored.signedHeader().signature(),
          m + ": signature " + h);
    }
    boolean blocked = node.p2p().gater().blockedPeers().contains(offender.peerId());
    assertFalse(
        node.p2p().gater().blockedPeers().contains(honest.peerId()),
        m + ": the honest peer was blocked");
    long honestRanges = server.stats().requestsAnswered();
    System.out.printf(
        "| %s | %.1f s | %s | %d head, %d range requests to the offender; %d answered by the honest peer |%n",
        m,
        seconds,
        blocked ? "blocked" : "not blocked",
        headRequests.get(),
        rangeRequests.get(),
        honestRanges);
    if (m.provablyWrong) {
      assertTrue(blocked, m + ": the offender was not blocked");
    } else {
      // Not provably wrong (it may be slow, or not have the headers): its score drops and the
      // honest peer serves the rest, as go-header does.
      assertTrue(
          rangeRequests.get() <= 32 + 16,
          m + ": the offender was asked " + rangeRequests.get() + " times");
    }
  }

  /**
   * Gossip spam: an offender in the mesh publishes 100 headers with forged signatures and 100 valid
   * but old headers on the header topic; then the sequencer's next header arrives by gossip. The
   * node stores the honest next header and nothing else, rejects every forged one (the pubsub score
   * of the offender drops below zero with the header topic's score parameters, as celestia-node
   * sets them), and ignores the old ones without penalty (go-header ignores them too).
   */
  @org.junit.jupiter.api.Test
  void gossipSpamOfForgedAndOfOldHeadersIsDroppedAndTheHonestNextHeaderStored() throws Exception {
    String topic =
        io.headersync.service.NetworkProfile.SEED.topic(
            CHAIN_ID, io.headersync.service.NetworkProfile.SyncKind.HEADERS);
    io.headersync.libp2p.pubsub.PeerScoreParams score =
        io.headersync.libp2p.pubsub.PeerScoreParams.forHeaderTopic(topic);
    InMemoryStore<P2PSignedHeader> honestStore = new InMemoryStore<>();
    honestStore.append(honestChain.subList(0, N)).get(T, TimeUnit.SECONDS);
    HeaderSyncService<P2PSignedHeader> honest =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, CHAIN_ID)
            .blockTime(Duration.ofSeconds(1))
            .store(honestStore)
            .p2p(
                P2PConfig.builder()
                    .identity(
                        PrivateKey.ed25519FromSeed(
                            new byte[] {
                              1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0
                            }))
                    .inMemory(network)
                    .build())
            .build();
    closeables.add(honest);
    honest.start().get(T, TimeUnit.SECONDS);

    PrivateKey offenderKey =
        PrivateKey.ed25519FromSeed(
            new byte[] {
              2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
              0, 0, 0
            });
    Host offender =
        Host.builder(offenderKey)
            .inMemory(network)
            .listen(io.headersync.libp2p.Multiaddr.parse("/memory/0"))
            .build();
    closeables.add(offender);
    io.headersync.libp2p.pubsub.PubSub offenderPubSub =
        io.headersync.libp2p.pubsub.PubSub.builder(offender, offenderKey).build();
    closeables.add(offenderPubSub);
    offenderPubSub.start().get(T, TimeUnit.SECONDS);
    offender.start().get(T, TimeUnit.SECONDS);
    offenderPubSub.subscribe(topic);

    HeaderSyncService<P2PSignedHeader> node =
        HeaderSyncService.builder(EvNodeTypes.P2P_SIGNED_HEADER, CHAIN_ID)
            .blockTime(Duration.ofSeconds(1))
            .p2p(
                P2PConfig.builder()
                    .identity(PrivateKey.ed25519FromSeed(new byte[32]))
                    .inMemory(network)
                    .seed(honest.p2p().addresses().get(0))
                    .peerScore(score, io.headersync.libp2p.pubsub.PeerScoreThresholds.CELESTIA)
                    .build())
            .trustedPeers(List.of(honest.p2p().host().peerId()))
            .extraCheck(ProposerCheck.of(sequencerKey.signer())::check)
            .build();
    closeables.add(node);
    node.start().get(T, TimeUnit.SECONDS);
    node.store().awaitHeight(N).get(T, TimeUnit.SECONDS);
    offender.connect(node.p2p().addresses().get(0)).get(T, TimeUnit.SECONDS);
    offenderPubSub.awaitPeer(topic, node.p2p().host().peerId()).get(T, TimeUnit.SECONDS);

    P2PSignedHeader next = honestChain.get(N);
    for (int i = 0; i < 100; i++) {
      offenderPubSub.publish(topic, forge(next).encode()).exceptionally(e -> null);
    }
    for (int i = 0; i < 100; i++) {
      offenderPubSub.publish(topic, honestChain.get(i).encode()).exceptionally(e -> null);
    }
    honest.writeToStoreAndBroadcast(next).get(T, TimeUnit.SECONDS);
    node.store().awaitHeight(N + 1).get(T, TimeUnit.SECONDS);

    assertArrayEquals(
        next.signedHeader().signature(),
        node.store().getByHeight(N + 1).orElseThrow().signedHeader().signature(),
        "the stored next header is not the sequencer's");
    io.headersync.subscriber.SubscriberMetrics gossip = node.gossipMetrics();
    double offenderScore = node.p2p().pubSub().score(offender.peerId()).get(T, TimeUnit.SECONDS);
    System.out.printf(
        "| GOSSIP_SPAM | forged: %d rejected; old: %d ignored; the offender's pubsub score %.0f |%n",
        gossip.rejected(), gossip.ignored(), offenderScore);
    assertTrue(gossip.rejected() >= 1, "no forged header was rejected: " + gossip);
    assertTrue(offenderScore < 0, "the offender's score did not drop: " + offenderScore);
    assertEquals(N + 1, node.store().height());
  }

  private static String protocol() {
    return io.headersync.service.NetworkProfile.SEED.protocolId(
        CHAIN_ID, io.headersync.service.NetworkProfile.SyncKind.HEADERS);
  }

  private void misbehave(Misbehaviour m, HeaderRequest r, Stream stream, int headRequestsSoFar) {
    boolean head = r.kind() == HeaderRequest.Kind.ORIGIN && r.origin() == 0;
    if (r.kind() != HeaderRequest.Kind.ORIGIN) {
      stream.reset();
      return;
    }
    // The offender has the first N headers (in the equivocation case, the honest peer gets one
    // more).
    long from = head ? N : r.origin();
    long to = head ? N : Math.min(N, r.origin() + r.amount() - 1);
    List<P2PSignedHeader> honest =
        from > N ? List.of() : honestChain.subList((int) from - 1, (int) to);
    switch (m) {
      case FORGED_SIGNATURES:
        reply(stream, head ? honest : honest.stream().map(ByzantinePeerTest::forge).toList());
        break;
      case IMPOSTOR_FORK:
        reply(stream, head ? honest : impostorChain().subList((int) from - 1, (int) to));
        break;
      case OTHER_CHAIN_SAME_KEY:
        reply(stream, head ? honest : otherChain().subList((int) from - 1, (int) to));
        break;
      case WRONG_HEIGHTS:
        reply(stream, head || to >= N ? honest : honestChain.subList((int) from, (int) to + 1));
        break;
      case OVERSIZE_FRAME:
        if (head) {
          reply(stream, honest);
        } else {
          stream.write(
              new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04}); // 1 GiB
        }
        break;
      case GARBAGE_AFTER_HANDSHAKE:
        if (head) {
          reply(stream, honest);
        } else {
          byte[] junk = new byte[300];
          new Random(r.origin()).nextBytes(junk);
          stream.write(junk).whenComplete((v, e) -> stream.close());
        }
        break;
      case LYING_NOT_FOUND:
        if (head) {
          reply(stream, honest);
        } else {
          stream.write(ExchangeWire.notFoundFrame()).whenComplete((v, e) -> stream.close());
        }
        break;
      case STALL_AFTER_REQUEST:
        if (head) {
          reply(stream, honest);
        } // else: never answers, never closes
        break;
      case RESET_MID_RANGE:
        if (head) {
          reply(stream, honest);
        } else {
          List<byte[]> half = new ArrayList<>();
          for (P2PSignedHeader h : honest.subList(0, Math.max(1, honest.size() / 2))) {
            half.add(h.encode());
          }
          stream.write(ExchangeWire.okResponseFrames(half)).whenComplete((v, e) -> stream.reset());
        }
        break;
      case EQUIVOCATING_HEAD:
        // The sequencer signed a second block at the head's height (with a tx): valid, linked, not
        // ours.
        // The first head answer is the honest one: a node that has heard only this peer so far (the
        // honest one not identified yet) cannot tell an equivocation from a head, in Go or here;
        // from
        // the second on, both heads are in every round.
        reply(
            stream,
            head && headRequestsSoFar >= 2
                ? List.of(sequencer.next(blocks.get(N - 2), List.of(new byte[] {1})).p2pHeader())
                : honest);
        break;
      case HEAD_FROM_THE_FUTURE:
        // A validly signed next header stamped an hour ahead (a sequencer whose clock is off).
        reply(stream, head ? List.of(futureHead()) : honest);
        break;
      default:
        throw new AssertionError(m);
    }
  }

  private static void reply(Stream stream, List<P2PSignedHeader> headers) {
    if (headers.isEmpty()) {
      stream.write(ExchangeWire.notFoundFrame()).whenComplete((v, e) -> stream.close());
      return;
    }
    List<byte[]> bodies = new ArrayList<>();
    for (P2PSignedHeader h : headers) {
      bodies.add(h.encode());
    }
    stream.write(ExchangeWire.okResponseFrames(bodies)).whenComplete((v, e) -> stream.close());
  }

  /** {@code h} with one bit of its signature flipped: same hash and links, invalid signature. */
  private static P2PSignedHeader forge(P2PSignedHeader h) {
    SignedHeader signed = h.signedHeader();
    byte[] sig = signed.signature();
    sig[sig.length - 1] ^= 1;
    return P2PSignedHeader.of(signed.withSignature(sig), h.daHeightHint());
  }

  private List<P2PSignedHeader> impostorChain;
  private List<P2PSignedHeader> otherChain;

  /** The same chain id and times, signed by a key that is not the sequencer's. */
  private synchronized List<P2PSignedHeader> impostorChain() {
    if (impostorChain == null) {
      impostorChain =
          HeaderSigner.builder()
              .key(SignerKey.generate(new Random(666)))
              .chainId(CHAIN_ID)
              .startTime(NOW.minusSeconds(N))
              .blockTime(Duration.ofSeconds(1))
              .build()
              .chain(N)
              .stream()
              .map(Block::p2pHeader)
              .toList();
    }
    return impostorChain;
  }

  /** Another chain run by the same sequencer key. */
  private synchronized List<P2PSignedHeader> otherChain() {
    if (otherChain == null) {
      otherChain =
          HeaderSigner.builder()
              .key(sequencerKey)
              .chainId("other")
              .startTime(NOW.minusSeconds(N))
              .blockTime(Duration.ofSeconds(1))
              .build()
              .chain(N)
              .stream()
              .map(Block::p2pHeader)
              .toList();
    }
    return otherChain;
  }

  private P2PSignedHeader futureHead() {
    return HeaderSigner.builder()
        .key(sequencerKey)
        .chainId(CHAIN_ID)
        .clock(Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC))
        .build()
        .next(blocks.get(N - 1), List.of())
        .p2pHeader();
  }
}
