package io.headersync.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headersync.evnode.Block;
import io.headersync.evnode.EvNodeTypes;
import io.headersync.evnode.HeaderSigner;
import io.headersync.evnode.P2PSignedHeader;
import io.headersync.evnode.SignerKey;
import io.headersync.exchange.Exchange;
import io.headersync.exchange.ExchangeProtocol;
import io.headersync.exchange.P2PServer;
import io.headersync.exchange.PeerFailure;
import io.headersync.exchange.PeerRequestException;
import io.headersync.exchange.ServerOptions;
import io.headersync.exchange.internal.ExchangeWire;
import io.headersync.libp2p.ConnectionGater;
import io.headersync.libp2p.Host;
import io.headersync.libp2p.Multiaddr;
import io.headersync.libp2p.PeerId;
import io.headersync.libp2p.PrivateKey;
import io.headersync.libp2p.Stream;
import io.headersync.libp2p.StreamException;
import io.headersync.store.InMemoryStore;
import io.headersync.testing.Identified;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The header exchange against go-header v0.8.6 ({@code interop/peer}: its {@code ExchangeServer}
 * and {@code Exchange} over ev-node v1.2.2 {@code P2PSignedHeader}s on a default go-libp2p host),
 * in both directions, with ev-node's naming: network {@code gm-headerSync}, chain id {@code gm}.
 */
@Tag("interop")
class ExchangeGoInteropTest {
  private static final long T = 120;
  private static final String NETWORK = "gm-headerSync";
  private static final String PROTOCOL = ExchangeProtocol.protocolId(NETWORK);
  private static final int N = 10_000;

  private GoPeer go;
  private Host host;
  private final ConnectionGater gater = new ConnectionGater();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService storeExecutor = Executors.newFixedThreadPool(2);

  @BeforeEach
  void start() throws Exception {
    go = new GoPeer(11, "-network", NETWORK, "-chain-id", "gm");
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
  }

  private static <V> V get(CompletableFuture<V> f) throws Exception {
    return f.get(T, TimeUnit.SECONDS);
  }

  private void assertGoLogClean() {
    for (String line : go.stderr().split("\n")) {
      String l = line.toLowerCase(java.util.Locale.ROOT);
      assertFalse(
          l.contains("yamux")
              || l.contains("noise")
              || l.contains("multistream")
              || l.contains("protocol"),
          "go peer logged: " + line + "\nall:\n" + go.stderr());
    }
  }

  @Test
  void ourClientSyncsFromGoHeadersServer() throws Exception {
    String gen = go.ok("\"cmd\":\"gen\",\"count\":" + N + ",\"seed\":3", T);
    String goHead = GoPeer.string(gen, "hash");
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

    P2PSignedHeader head = get(ex.head());
    assertEquals(N, head.height());
    assertEquals(goHead, head.hash().toString());
    P2PSignedHeader first = get(ex.getByHeight(1));
    P2PSignedHeader five = get(ex.getByHeight(5));
    assertEquals(five, get(ex.get(five.hash())));

    List<P2PSignedHeader> range = get(ex.getRange(first, N + 1));
    assertEquals(N - 1, range.size());
    assertEquals(five, range.get(3));
    assertEquals(goHead, range.get(range.size() - 1).hash().toString());
    for (P2PSignedHeader h : range) {
      h.verifySignature(); // Go signed them; our decoding kept every byte
    }

    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> ex.getByHeight(N + 100).get(T, TimeUnit.SECONDS));
    assertEquals(
        PeerFailure.NOT_FOUND,
        assertInstanceOf(PeerRequestException.class, e.getCause()).failure());

    // go-header's server: a partial range at the head, and a reset for 65 headers.
    assertEquals(11, okFrames(goPeer, N - 10, 64));
    Stream s = get(host.newStream(goPeer, PROTOCOL));
    get(s.write(ExchangeWire.rangeRequestFrame(1, 65)));
    s.closeWrite(); // may fail: the server resets as soon as it has read the request
    Throwable reset =
        assertThrows(
                ExecutionException.class, () -> s.readMessage(1 << 20).get(T, TimeUnit.SECONDS))
            .getCause();
    assertEquals(
        StreamException.Reason.RESET, assertInstanceOf(StreamException.class, reset).reason());
    assertTrue(gater.blockedPeers().isEmpty());
    assertGoLogClean();
  }

  private int okFrames(PeerId peer, long origin, int amount) throws Exception {
    Stream s = get(host.newStream(peer, PROTOCOL));
    get(s.write(ExchangeWire.rangeRequestFrame(origin, amount)));
    get(s.closeWrite());
    int n = 0;
    while (get(s.readMessage(1 << 20)).isPresent()) {
      n++;
    }
    return n;
  }

  @Test
  void goHeadersClientSyncsFromOurServer() throws Exception {
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

    String ours = host.listenAddresses().get(0).toString();
    go.ok("\"cmd\":\"connect\",\"addr\":\"" + ours + "\"", T);
    String peer = "\"peer\":\"" + host.peerId() + "\"";
    String head = chain.get(N - 1).hash().toString();
    assertEquals(head, GoPeer.string(go.ok("\"cmd\":\"ex-head\"," + peer, T), "hash"));
    assertEquals(
        chain.get(4).hash().toString(),
        GoPeer.string(go.ok("\"cmd\":\"ex-height\",\"height\":5," + peer, T), "hash"));
    assertEquals(
        chain.get(41).hash().toString(),
        GoPeer.string(
            go.ok("\"cmd\":\"ex-hash\",\"hash\":\"" + chain.get(41).hash() + "\"," + peer, T),
            "hash"));
    // go-header's own GetRangeByHeight + VerifyRange over the whole chain.
    String range = go.ok("\"cmd\":\"ex-range\",\"height\":1,\"to\":" + (N + 1) + "," + peer, T);
    assertTrue(range.contains("\"headers\":" + (N - 1)), range);
    assertEquals(head, GoPeer.string(range, "hash"));

    String notFound = go.command("\"cmd\":\"ex-height\",\"height\":" + (N + 5) + "," + peer, T);
    assertTrue(notFound.contains("not found"), notFound);
    String partial =
        go.ok("\"cmd\":\"raw-range\",\"height\":" + (N - 10) + ",\"count\":64," + peer, T);
    assertTrue(partial.contains("\"okFrames\":11") && partial.contains("\"end\":\"eof\""), partial);
    String above = go.ok("\"cmd\":\"raw-range\",\"height\":" + (N + 1) + ",\"count\":1," + peer, T);
    assertTrue(above.contains("\"notFoundFrames\":1") && above.contains("\"okFrames\":0"), above);
    String tooMany = go.ok("\"cmd\":\"raw-range\",\"height\":1,\"count\":65," + peer, T);
    assertTrue(tooMany.contains("\"okFrames\":0") && tooMany.contains("reset"), tooMany);

    assertEquals(
        List.of(), GoPeer.strings(go.ok("\"cmd\":\"blocked\"", T), "peers"), "Go did not block us");
    assertGoLogClean();
    server.close();
  }
}
